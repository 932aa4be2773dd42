extension SiteConfigLoader {
    /// One pass over one config file: each section is read by the extension in its own file
    /// (SiteConfigLoader+Buses.swift, +Zones.swift, +Notify.swift, ...), with the shared readers in
    /// SiteConfigLoader+Common.swift.
    final class Reader {
        let file: String
        let sink: DiagnosticSink
        let loader: SiteConfigLoader
        var profileDirs: [String] = []
        var profileCache: [String: DeviceProfile?] = [:]
        var declaredBuses: Set<String> = []
        var declaredDevices: Set<String> = []
        /// What the config asks of the host (checked by check-config, not here).
        var hostRequirements: [HostRequirement] = []
        /// `site.language` and the `instructions:` (set during `read`).
        var messages = MessageSettings()
        /// The `metrics:` section, read with the rest (SiteConfigLoader+Metrics.swift).
        var metrics: MetricsSettings?
        /// `uplink:`, read with the rest (SiteConfigLoader+Uplink.swift).
        var uplink: MQTTUplink?

        init(file: String, sink: DiagnosticSink, loader: SiteConfigLoader) {
            self.file = file
            self.sink = sink
            self.loader = loader
        }
    }
}

extension SiteConfigLoader.Reader {
    /// The whole file, section by section in the order references need them (buses before
    /// devices, devices before what names their points); nil when anything is wrong.
    func read(text: String) -> SiteConfig? {
        guard let root = parseYAML(text: text, file: file, sink: sink), let top = root.map("the site config") else {
            return nil
        }
        top.check(allowed: SiteConfigLoader.topKeys, in: "the site config")
        profileDirs = (top["profiles"]?.stringList("profiles") ?? []).map { path in
            resolve(path)
        } + loader.searchPath(configFile: file)

        let site = readSite(top)
        let buses = readList(top, "buses", required: true, what: "bus", read: bus)
        let busIDs = Dictionary(buses.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })
        declaredBuses = declaredIDs(top, "buses")
        checkBusOverrides(top, root: root)
        declaredDevices = declaredIDs(top, "devices")
        let devices = readList(top, "devices", required: true, what: "device") { self.device($0, buses: busIDs) }
        checkUnits(devices, buses: buses)
        let deviceByID = Dictionary(devices.map { ($0.value.id, $0.value) }, uniquingKeysWith: { a, _ in a })

        let areas = readList(top, "areas", required: false, what: "area", read: area)
        let areaIDs = Set(areas.map(\.value.id))
        let zones = readList(top, "zones", required: false, what: "zone") { self.zone($0, devices: deviceByID, areas: areaIDs) }
        checkSharedInputs(zones, devices: deviceByID)
        let sensors = readList(top, "sensors", required: false, what: "sensor") { self.sensor($0, devices: deviceByID) }
        let equipment = readList(top, "equipment", required: false, what: "equipment") { self.equipment($0, devices: deviceByID) }
        let recorders = readList(top, "recorders", required: false, what: "recorder") { self.recorder($0, devices: deviceByID) }
        let shifts = readShifts(top)
        let escalation = readEscalation(top)
        let notify = readList(top, "notify", required: false, what: "notify target", read: notifyTarget)
        checkSomeoneOnDuty(top, root: root, shifts: shifts, notify: notify)
        let limits = readAlarmLimits(top)
        let selfTest = readSelfTest(top)
        let duty = readDuty(top)
        messages = readMessages(top)
        metrics = readMetrics(top)
        let board = readBoard(top)
        let users = readUsers(top)
        checkBoardLogin(top, users: users)
        uplink = readUplink(top)
        checkCameras(zones: zones, recorders: recorders.map(\.value))
        checkStoragePaths(recorders)
        let equipmentWithRecorders = equipment.map(\.value) + recorderEquipment(recorders.map(\.value), equipment: equipment.map(\.value))
        guard sink.items.isEmpty else { return nil }
        var config = SiteConfig(
            file: file, siteName: site.name, timezone: site.timezone, stateDir: site.stateDir, controlSocket: site.controlSocket,
            controlGroup: site.controlGroup, buses: buses.map(\.value), devices: devices.map(\.value), zones: zones.map(\.value),
            areas: areas.map(\.value), sensors: sensors.map(\.value), equipment: equipmentWithRecorders,
            recorders: recorders.map(\.value), shifts: shifts, supervisor: escalation.supervisor,
            ackTimeoutSeconds: escalation.ackTimeout, escalationRepeatSeconds: escalation.repeatSeconds,
            notify: notify.map(\.value), maxShelve: .seconds(limits.maxShelveMinutes * 60), keepEventsDays: limits.keepEventsDays,
            selfTestTimeoutSeconds: selfTest.timeoutSeconds, walkTestWindowMinutes: selfTest.walkWindowMinutes, duty: duty,
            board: board, users: users)
        config.indexIDs()
        return config
    }
}
