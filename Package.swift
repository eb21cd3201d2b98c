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
        .library(name: "MFAAPI", targets: ["MFAAPI"]),
        .executable(name: "mfa", targets: ["mfa"]),
        .executable(name: "mfa-bench", targets: ["mfa-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/vapor/postgres-nio", from: "1.33.2"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-openapi-generator", from: "1.14.3"),
        .package(url: "https://github.com/apple/swift-openapi-runtime", from: "1.13.4"),
        .package(url: "https://github.com/hummingbird-project/swift-openapi-hummingbird", from: "2.1.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-configuration", from: "1.4.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.8.0"),
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
        // L5: the HTTP API (OpenAPI first)
        .target(
            name: "MFAAPI",
            dependencies: [
                "MFACore", "MFAMethods", "MFAQRCode", "MFAOTP",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "OpenAPIRuntime", package: "swift-openapi-runtime"),
                .product(name: "OpenAPIHummingbird", package: "swift-openapi-hummingbird"),
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
            ],
            resources: [.copy("openapi.yaml")],
            plugins: [.plugin(name: "OpenAPIGenerator", package: "swift-openapi-generator")]
        ),
        // L5: doubles and conformance suites for tests
        .target(name: "MFATesting", dependencies: ["MFACore", "MFAMethods", "MFAOTP", "MFACrypto"]),

        // L6: executables
        .executableTarget(name: "mfa", dependencies: [
            "MFAOTP", "MFAQRCode", "MFACrypto", "MFACore", "MFAMethods", "MFAStoreSQLite", "MFAStorePostgres", "MFAAPI",
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Configuration", package: "swift-configuration"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
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
        .testTarget(name: "MFAAPITests", dependencies: [
            "MFAAPI", "MFATesting", "MFAMethods", "MFAOTP",
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOEmbedded", package: "swift-nio"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
        ]),
        .testTarget(name: "MFACLITests", dependencies: [
            "mfa", "MFAOTP", "MFACore", "MFAMethods", "MFAStoreSQLite", "MFACrypto", "MFATesting",
        ]),
    ],
    swiftLanguageModes: [.v6]
)
