import Crypto
import Foundation

/// Signature checks written from the published specs (../shared/REFERENCE.md "Webhook formats"),
/// independent of the encoders in Sources/Notify: they never call the code under test.
enum SpecVerify {
    static func hmacSHA256(key: Data, message: Data) -> Data {
        Data(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
    }

    /// Standard Webhooks: `webhook-signature` is a space-separated list of `v1,<base64>`; the signed
    /// content is "{id}.{timestamp}.{body}" and the key is the base64 after `whsec_`.
    static func standardWebhooks(id: String, timestamp: String, body: Data, signatureHeader: String, secret: String) -> Bool {
        guard secret.hasPrefix("whsec_"), let key = Data(base64Encoded: String(secret.dropFirst(6))) else { return false }
        var content = Data(id.utf8)
        content.append(0x2E)  // "."
        content.append(contentsOf: Array(timestamp.utf8))
        content.append(0x2E)
        content.append(body)
        let expected = hmacSHA256(key: key, message: content).base64EncodedString()
        return signatureHeader.split(separator: " ").contains { entry in
            let parts = entry.split(separator: ",", maxSplits: 1)
            return parts.count == 2 && parts[0] == "v1" && String(parts[1]) == expected
        }
    }

    /// DingTalk custom robot: base64(HMAC-SHA256(key = secret, message = timestamp_ms + "\n" + secret)),
    /// sent URL-encoded in the query; returns the base64 form (before URL encoding).
    static func dingTalkSign(timestamp: String, secret: String) -> String {
        hmacSHA256(key: Data(secret.utf8), message: Data((timestamp + "\n" + secret).utf8)).base64EncodedString()
    }

    /// Feishu custom bot: base64(HMAC-SHA256(key = timestamp_s + "\n" + secret, message = empty)).
    static func feishuSign(timestamp: String, secret: String) -> String {
        hmacSHA256(key: Data((timestamp + "\n" + secret).utf8), message: Data()).base64EncodedString()
    }

    /// Percent-decoding as a form decoder does it ("+" would be a space, so a raw "+" breaks a base64 value).
    static func formDecode(_ s: String) -> String? {
        s.replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }
}
