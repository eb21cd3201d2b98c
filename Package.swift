// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mfa",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MFACrypto", targets: ["MFACrypto"]),
        .library(name: "MFAOTP", targets: ["MFAOTP"]),
        .library(name: "MFAQRCode", targets: ["MFAQRCode"]),
        .library(name: "MFACore", targets: ["MFACore"]),
        .library(name: "MFAMethods", targets: ["MFAMethods"]),
        .library(name: "MFAStoreSQLite", targets: ["MFAStoreSQLite"]),
        .library(name: "MFAStorePostgres", targets: ["MFAStorePostgres"]),
        .library(name: "MFATesting", targets: ["MFATesting"]),
        .executable(name: "mfa", targets: ["mfa"]),
        .executable(name: "mfa-bench", targets: ["mfa-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
    ],
    targets: [
        // L0: system libraries (thin shims, one Swift importer each).
        .systemLibrary(name: "COpenSSL", pkgConfig: "libcrypto",
                       providers: [.apt(["libssl-dev"]), .brew(["openssl@3"])]),
        .systemLibrary(name: "CArgon2", pkgConfig: "libargon2",
                       providers: [.apt(["libargon2-dev"]), .brew(["argon2"])]),
        .systemLibrary(name: "CQRencode", pkgConfig: "libqrencode",
                       providers: [.apt(["libqrencode-dev"]), .brew(["qrencode"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng",
                       providers: [.apt(["libpng-dev"]), .brew(["libpng"])]),

        // L1
        .target(name: "MFACrypto", dependencies: ["COpenSSL", "CArgon2"]),
        .target(name: "MFAQRCode", dependencies: ["CQRencode", "CPNG"]),
        // L2
        .target(name: "MFAOTP", dependencies: ["MFACrypto"]),

        // L3: the engine (no SQL, no HTTP, no C)
        .target(name: "MFACore", dependencies: [
            "MFAOTP", "MFACrypto", .product(name: "Logging", package: "swift-log"),
        ]),
        // L4: methods and stores
        .target(name: "MFAMethods", dependencies: ["MFACore", "MFAOTP", "MFACrypto"]),
        .target(name: "MFAStoreSQLite", dependencies: ["MFACore", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "MFAStorePostgres", dependencies: [
            "MFACore", .product(name: "PostgresNIO", package: "postgres-nio"), .product(name: "Logging", package: "swift-log"),
        ]),
        // L5: doubles and conformance suites for tests
        .target(name: "MFATesting", dependencies: ["MFACore", "MFAMethods", "MFAOTP", "MFACrypto"]),

        // L6: executables
        .executableTarget(name: "mfa", dependencies: [
            "MFAOTP", "MFAQRCode", "MFACrypto", "MFACore", "MFAMethods", "MFAStoreSQLite", "MFAStorePostgres",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mfa-bench", dependencies: [
            "MFAOTP", "MFAQRCode", "MFACrypto", "MFACore", "MFAMethods", "MFAStoreSQLite", "MFAStorePostgres",
        ]),

        // Tests
        .testTarget(name: "MFACryptoTests", dependencies: ["MFACrypto"]),
        .testTarget(name: "MFAQRCodeTests", dependencies: ["MFAQRCode"]),
        .testTarget(name: "MFAOTPTests", dependencies: ["MFAOTP"]),
        .testTarget(name: "MFACoreTests", dependencies: ["MFACore", "MFAMethods", "MFATesting"]),
        .testTarget(name: "MFAStoreSQLiteTests", dependencies: [
            "MFAStoreSQLite", "MFATesting", "MFAMethods", .product(name: "GRDB", package: "GRDB.swift"),
        ]),
        .testTarget(name: "MFAStorePostgresTests", dependencies: ["MFAStorePostgres", "MFATesting", "MFAMethods"]),
        .testTarget(name: "MFACLITests", dependencies: [
            "mfa", "MFAOTP", "MFACore", "MFAMethods", "MFAStoreSQLite", "MFACrypto", "MFATesting",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
