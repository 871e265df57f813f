import Testing

@testable import BounceClassifier

/// The normalisation non-English texts need before matching: width, case, accents, invisible characters.
@Suite struct UnicodeFoldTests {
    @Test(arguments: [
        // Accents and case on Latin letters (French, Spanish, Portuguese, Polish, German).
        ("Boîte du DESTINATAIRE pleine", "boite du destinataire pleine"),
        ("Não existe", "nao existe"),
        ("Wiadomość została ODRZUCONA", "wiadomosc zostala odrzucona"),
        ("Größe überschritten", "grosse uberschritten"),
        // Greek: tonos and final sigma; Cyrillic: case and й/ё.
        ("Ο ΛΟΓΑΡΙΑΣΜΌΣ δεν υπάρχει", "ο λογαριασμοσ δεν υπαρχει"),
        ("Почтовый ЯЩИК переполнен, ёмкость", "почтовыи ящик переполнен, емкость"),
        // Width: full-width Latin and digits become ASCII; half-width katakana become full-width.
        ("５５０　Ｕｓｅｒ　ｕｎｋｎｏｗｎ", "550 user unknown"),
        ("ﾒｰﾙﾎﾞｯｸｽ", "メールボックス"),
        // Kana voicing marks are part of the letter, not accents.
        ("存在しません。ガイド", "存在しません。ガイド"),
        // Hangul stays composed.
        ("받는 사람을 찾을 수 없습니다", "받는 사람을 찾을 수 없습니다"),
        // Invisible format characters go; typographic quotes become ASCII.
        ("\u{200F}המשתמש\u{200F} לא קיים", "המשתמש לא קיים"),
        ("non répertorié dans l’annuaire", "non repertorie dans l'annuaire"),
    ])
    func folds(_ input: String, _ expected: String) {
        #expect(UnicodeFold.fold(input) == expected)
    }

    @Test func regexSyntaxKeepsItsCase() {
        // `\S` must stay `\S`; only the non-ASCII letters fold.
        #expect(UnicodeFold.foldNonASCII(#"bo[iî]te\S+PLEINE"#) == #"bo[ii]te\S+PLEINE"#)
        #expect(UnicodeFold.foldNonASCII("plain ascii") == "plain ascii")
    }

    @Test func asciiTextTakesTheFastPathUnchanged() {
        // The ASCII result is exactly what the single pass gives, and folding would not change it.
        let text = "550 5.1.1 <Who@Example.org>: Recipient address rejected: User unknown"
        #expect(TextNormalizer.scan(text.utf8, stopAtNonASCII: true) == TextNormalizer.normalize(text))
        #expect(TextNormalizer.scan("Boîte pleine".utf8, stopAtNonASCII: true) == nil)
    }

    @Test func nonASCIITextIsFoldedThenNormalised() {
        #expect(TextNormalizer.normalize("５５２　Ｂｏîｔｅ  PLEINE 1234567") == "552 boite pleine #")
        // An address glued to Japanese text ends where the Japanese starts.
        #expect(TextNormalizer.normalize("宛先 user@example.jpは存在しません") == "宛先 @は存在しません")
        #expect(TextNormalizer.normalize("送信先(user@example.jp)が見つかりません") == "送信先(@)が見つかりません")
        // Non-ASCII letters that can be part of an address (IDN) still are.
        #expect(TextNormalizer.normalize("to иван@пример.рф failed") == "to @ failed")
    }

    @Test func aRuleMatchesEveryWayOfWritingItsWords() throws {
        // Literals in contains, words and regex are folded at load, texts when classified: accents,
        // case and width on either side do not matter.
        let rules = """
            [[policy]]
            reason = "mailboxfull"
            type = "soft"
            fault = "recipient"
            [[policy]]
            reason = "onhold"
            type = "soft"
            fault = "unknown"
            [[policy]]
            reason = "undefined"
            type = "soft"
            fault = "unknown"
            [[probe]]
            id = "t.contains"
            reason = "mailboxfull"
            contains = ["BOÎTE du destinataire pleine"]
            vector = [{ text = "boite du destinataire pleine", expect = "mailboxfull" }]
            [[probe]]
            id = "t.words"
            reason = "mailboxfull"
            words = [["Postfach", "Empfänger", "voll"]]
            vector = [{ text = "Postfach des Empfaengers ist voll", expect = "onhold", rule = "none" }]
            [[probe]]
            id = "t.regex"
            reason = "mailboxfull"
            contains = ["メールボックス"]
            regex = 'メールボックスが(いっぱい|満杯)'
            vector = [{ text = "ﾒｰﾙﾎﾞｯｸｽがいっぱい", expect = "mailboxfull" }]
            """
        let set = try PatternLoader.load(defaults: [PatternSource(name: "t.toml", text: rules)])
        let c = Classifier(set: set)
        for (text, rule) in [
            ("552 Boîte du destinataire PLEINE", "t.contains"), ("552 BOITE DU DESTINATAIRE PLEINE", "t.contains"),
            ("Das POSTFACH des EMPFÄNGERS ist voll", "t.words"), ("Das Postfach des Empfangers ist voll", "t.words"),
            ("メールボックスがいっぱい", "t.regex"), ("ﾒｰﾙﾎﾞｯｸｽが満杯", "t.regex"),
        ] {
            #expect(c.classify(failure(text)).rule == rule, "\(text)")
        }
        // `ue` is a spelling, not an accent: it stays apart from `ü`.
        #expect(c.classify(failure("Postfach des Empfaengers ist voll")).rule == "none")
    }

    @Test func literalsFoldLikeTexts() {
        #expect(TextNormalizer.foldLiteral("Boîte Pleine") == TextNormalizer.normalize("BOITE pleine"))
        #expect(TextNormalizer.foldLiteral("User Unknown") == "user unknown")
    }
}
