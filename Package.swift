// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "watchroom",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "watchroomd", targets: ["watchroomd"]),
        .executable(name: "watchroomctl", targets: ["watchroomctl"]),
        .executable(name: "watchroom-bench", targets: ["watchroom-bench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.0.0"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.0.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.0.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.5.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.0.0"),
    ],
    targets: [
        .systemLibrary(
            name: "CModbus",
            pkgConfig: "libmodbus",
            providers: [.apt(["libmodbus-dev"])]
        ),
        .target(name: "Modbus", dependencies: ["CModbus"]),
        .systemLibrary(
            name: "CMosquitto",
            pkgConfig: "libmosquitto",
            providers: [.apt(["libmosquitto-dev"])]
        ),
        .target(name: "MQTT", dependencies: ["CMosquitto"]),
        // glibc's malloc.h, for the daemon's heap settings (HeapTrim).
        .systemLibrary(name: "CMalloc", path: "Sources/CMalloc"),
        // No protocol in the config model: the Modbus source (Polling) maps its Modbus part.
        .target(name: "SiteConfig", dependencies: [.product(name: "Yams", package: "Yams")]),
        // Who may do what: roles, actors, bcrypt; pure, so the control socket and the board share it.
        .target(name: "Access", dependencies: ["SiteConfig"]),
        .target(name: "Polling", dependencies: ["Modbus", "SiteConfig", .product(name: "CoreMetrics", package: "swift-metrics")]),
        .target(name: "Alarms", dependencies: ["Modbus", "SiteConfig", "Polling", "Access"]),
        .target(name: "Records", dependencies: ["SiteConfig", "Alarms", "Access"]),
        .target(name: "Journal", dependencies: ["SiteConfig", "Access", "Alarms", "Records", .product(name: "GRDB", package: "GRDB.swift")]),
        .target(name: "Control", dependencies: ["Alarms", "SiteConfig", "Records", "Access"]),
        .target(
            name: "Notify",
            dependencies: ["Alarms", "SiteConfig", "Journal", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "CoreMetrics", package: "swift-metrics")]
        ),
        .target(name: "Simulator", dependencies: ["Modbus", "SiteConfig", "Polling"]),
        .target(
            name: "Daemon",
            dependencies: [
                "Modbus", "SiteConfig", "Polling", "Alarms", "Journal", "Control", "Notify", "Records", "Access", "MQTT", "CMalloc",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "CoreMetrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]
        ),
        // Commissioning and the newcomer's demo: the simulator as a mode of watchroomd, kept out
        // of the production daemon's module.
        .target(
            name: "Commissioning",
            dependencies: [
                "Daemon", "Simulator", "Modbus", "SiteConfig", "Polling", "Alarms", "Control", "Records",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ]
        ),
        .executableTarget(
            name: "watchroomd",
            dependencies: [
                "Daemon", "Commissioning", "SiteConfig", "Simulator", "Access",
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        .executableTarget(
            name: "watchroomctl",
            dependencies: ["Control", "Alarms", "SiteConfig", "Records", "Access", .product(name: "ArgumentParser", package: "swift-argument-parser")]
        ),
        .executableTarget(
            name: "watchroom-bench",
            dependencies: ["CModbus", "Modbus", "SiteConfig", "Polling", "Daemon", "Alarms", "Journal", "Simulator", "Records",
                           .product(name: "Hummingbird", package: "hummingbird"), .product(name: "Logging", package: "swift-log")],
            path: "Benchmarks/watchroom-bench"
        ),
        .testTarget(name: "ModbusTests", dependencies: ["Modbus"]),
        .testTarget(name: "SiteConfigTests", dependencies: ["SiteConfig"]),
        .testTarget(name: "AccessTests", dependencies: ["Access", "SiteConfig"]),
        .testTarget(name: "AlarmsTests", dependencies: ["Alarms", "Access", "SiteConfig", "Polling", "Journal", "Modbus", .product(name: "GRDB", package: "GRDB.swift")]),
        // The manual clock the test targets drive injected time with (a library, so it exists once).
        .target(name: "TestClock", path: "Tests/TestClock"),
        .testTarget(
            name: "NotifyTests",
            dependencies: ["Notify", "Alarms", "SiteConfig", "Journal", "TestClock", .product(name: "Crypto", package: "swift-crypto"),
                           .product(name: "Hummingbird", package: "hummingbird")]
        ),
        .testTarget(name: "RecordsTests", dependencies: ["Records", "SiteConfig", "Alarms", "Journal"]),
        .testTarget(name: "PollingTests", dependencies: ["Polling", "SiteConfig", "Modbus", "Simulator", "Alarms"]),
        // The control API in process (HummingbirdTesting's router framework): no daemon, no socket.
        .testTarget(
            name: "ControlAPITests",
            dependencies: ["Daemon", "SiteConfig", "Alarms", "Journal", "Control", "Records", "Polling", "Access",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "HummingbirdTesting", package: "hummingbird"),
                           .product(name: "Logging", package: "swift-log"), .product(name: "GRDB", package: "GRDB.swift")]
        ),
        .testTarget(
            name: "IntegrationTests",
            dependencies: ["Daemon", "Simulator", "SiteConfig", "Polling", "Modbus", "Alarms", "Journal", "Control", "Notify", "Records", "TestClock", "Access",
                           .product(name: "Hummingbird", package: "hummingbird"),
                           .product(name: "ServiceLifecycle", package: "swift-service-lifecycle")]
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
