import Foundation

/// What `site:`, `state_dir:` and `control:` give.
struct SiteSection {
    let name: String
    let timezone: String
    let stateDir: String
    let controlSocket: String
    let controlGroup: String?
}

/// The site's own keys: its name and timezone, its state folder, its control socket.
extension SiteConfigLoader.Reader {
    /// `site:`, `state_dir:` and `control:` (the overrides replace the state folder and socket).
    func readSite(_ top: YMap) -> SiteSection {
        var siteName = "", timezone = "UTC"
        if let s = top.required("site", in: "the site config")?.map("site") {
            s.check(allowed: ["name", "timezone", "language"], in: "site")
            siteName = s.required("name", in: "site")?.string("site name") ?? ""
            if let tz = s["timezone"] {
                if let name = tz.string("site timezone") {
                    if TimeZone(identifier: name) == nil {
                        tz.error("unknown timezone '\(name)'; use an IANA name such as Asia/Shanghai")
                    } else { timezone = name }
                }
            }
        }
        let fileStateDir = top.required("state_dir", in: "the site config")?.string("state_dir") ?? ""
        let stateDir = loader.overrides.stateDir ?? fileStateDir
        var socket = "/run/watchroom/control.sock", group: String?
        if let c = top["control"]?.map("control") {
            c.check(allowed: ["socket", "group"], in: "control")
            socket = c["socket"]?.string("control socket") ?? socket
            if let g = c["group"], let name = g.string("control group") {
                group = name
                hostRequirements.append(HostRequirement(.group(name), at: g.location))
            }
        }
        socket = loader.overrides.controlSocket ?? socket
        return SiteSection(name: siteName, timezone: timezone, stateDir: stateDir, controlSocket: socket, controlGroup: group)
    }
}
