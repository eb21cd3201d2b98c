// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "mfa",
    platforms: [.macOS(.v14)],
    products: [
        .library(name: "MFACrypto", targets: ["MFACrypto"]),
        .library(name: "MFAOTP", targets: ["MFAOTP"]),
        .library(name: "MFAQRCode", targets: ["MFAQRCode"]),
        .executable(name: "mfa", targets: ["mfa"]),
        .executable(name: "mfa-bench", targets: ["mfa-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
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

        // L6: executables
        .executableTarget(name: "mfa", dependencies: [
            "MFAOTP", "MFAQRCode", "MFACrypto",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        .executableTarget(name: "mfa-bench", dependencies: ["MFAOTP", "MFAQRCode", "MFACrypto"]),

        // Tests
        .testTarget(name: "MFACryptoTests", dependencies: ["MFACrypto"]),
        .testTarget(name: "MFAQRCodeTests", dependencies: ["MFAQRCode"]),
        .testTarget(name: "MFAOTPTests", dependencies: ["MFAOTP"]),
        .testTarget(name: "MFACLITests", dependencies: ["mfa", "MFAOTP"]),
    ],
    swiftLanguageModes: [.v6]
)
