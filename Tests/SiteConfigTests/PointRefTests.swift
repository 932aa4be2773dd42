import SiteConfig
import Testing

struct PointRefTests {
    @Test(
        "a point reference is DEVICE.POINT or DEVICE.POINT[INDEX]",
        arguments: [
            ("di-1.di[3]", PointRef(device: "di-1", point: "di", index: 3)),
            ("di-1.di", PointRef(device: "di-1", point: "di", index: 0)),
            ("exp_1.zone_state[15]", PointRef(device: "exp_1", point: "zone_state", index: 15)),
            ("ups.on_battery", PointRef(device: "ups", point: "on_battery", index: 0)),
        ])
    func parses(text: String, expected: PointRef) {
        #expect(PointRef(parsing: text) == expected)
    }

    @Test(
        "anything else is not a point reference",
        arguments: ["di-1", ".di", "di-1.", "di-1.di[-1]", "di-1.di[x]", "di-1.di[3", "di 1.di", "di-1.di.x",
                    "di-1.di[]"])
    func rejects(text: String) {
        #expect(PointRef(parsing: text) == nil)
    }

    @Test("a reference prints with its index")
    func description() {
        #expect(PointRef(device: "di-1", point: "di").description == "di-1.di[0]")
    }
}
