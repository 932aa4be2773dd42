import Foundation
import Notify
import SiteConfig
import Testing

@Suite("Pacing from a target's numbers")
struct PolicyTests {
    @Test("nan, infinity and 1e308 in a target's group window never trap; they are clamped",
          arguments: [Double.nan, .infinity, -.infinity, 1e308, -1e308, -5])
    func hostileGroupWindow(seconds: Double) throws {
        // The loader refuses such numbers; the policy must hold without it.
        let target = NotifyTarget(id: "std", format: "standard", url: "http://127.0.0.1:9/hooks", groupWindowSeconds: seconds)
        let policy = DeliveryPolicy.defaults(for: target)
        #expect(policy.groupWindow >= .zero)
        #expect(policy.groupWindow <= .seconds(3600))
        if seconds.isNaN || seconds < 0 { #expect(policy.groupWindow == .zero) }
    }
}
