// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "watchroom",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "watchroomd", targets: ["watchroomd"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .target(name: "Modbus", dependencies: ["CModbus"]),
        .target(name: "SiteConfig", dependencies: ["Modbus", .product(name: "Yams", package: "Yams")]),
        .target(name: "Polling", dependencies: ["Modbus", "SiteConfig"]),
        .target(name: "Alarms", dependencies: ["Modbus", "SiteConfig", "Polling"]),
        .target(name: "Simulator", dependencies: ["Modbus", "SiteConfig", "Polling"]),
        .target(
            name: "Daemon",
            dependencies: [
                "Modbus", "SiteConfig", "Polling", "Alarms", "Simulator",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "watchroomd",
            dependencies: [
                "Daemon", "SiteConfig", "Simulator",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus"]),
        .testTarget(name: "SiteConfigTests", dependencies: ["SiteConfig"]),
        .testTarget(name: "PollingTests", dependencies: ["Polling", "SiteConfig", "Modbus", "Simulator", "Alarms"]),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Daemon", "Simulator", "SiteConfig", "Polling", "Modbus"]
        ),
    ]
)

// Strict settings for every target of ours, as swift-log does.
for target in package.targets where [.executable, .test, .regular].contains(target.type) {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
