import Alarms
import Notify
import SiteConfig
import Testing

/// The one table of words for what an alarm is (the board's columns, the message's headline).
struct VocabularyTests {
    static let conditions: [AlarmCondition] = [.alarm, .tamper, .fault, .high, .low, .commLoss, .selfTestMissed, .deliveryFailure,
                                               .retentionShortfall, .recordingStopped, .retentionAtRisk, .diskFull]

    @Test("every zone type and every other category has a Chinese word, and the board's filter lists each once")
    func everyCategoryNamed() {
        for t in ZoneType.allCases { #expect(AlarmVocabulary.categoryName(t.rawValue) == AlarmVocabulary.typeName(t)) }
        for c in ["sensor", "equipment", "device", "system"] { #expect(AlarmVocabulary.categoryName(c) != nil, "\(c)") }
        #expect(AlarmVocabulary.categoryName("made-up") == nil)
        #expect(AlarmVocabulary.categories.count == Set(AlarmVocabulary.categories).count)
        #expect(AlarmVocabulary.categories.allSatisfy { AlarmVocabulary.categoryName($0) != nil })
    }

    @Test("a non-zone alarm's headline says its condition in the board's own word: one phrase for one thing (通信中断, 录像中断, 自检失败)")
    func headlineUsesTheBoardsWord() {
        for (source, condition) in [(AlarmSource.Kind.device, AlarmCondition.commLoss), (.system, .recordingStopped), (.system, .selfTestMissed),
                                    (.system, .deliveryFailure), (.system, .retentionShortfall), (.system, .diskFull)] {
            let headline = AlarmVocabulary.headline(source: source, condition: condition, category: source.rawValue, humidity: false)
            #expect(headline.zh.contains(AlarmVocabulary.conditionName(condition)), "\(condition): \(headline.zh)")
        }
        #expect(Set(Self.conditions.map(AlarmVocabulary.conditionName)).count == Self.conditions.count, "two conditions share a word")
        #expect(AlarmVocabulary.headline(source: .zone, condition: .alarm, category: "fire", humidity: false).text(.zhCN) == "火警")
        #expect(AlarmVocabulary.headline(source: .zone, condition: .alarm, category: "fire", humidity: false).text(.en) == "Fire alarm")
    }
}
