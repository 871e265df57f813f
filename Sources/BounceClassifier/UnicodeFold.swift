import Foundation

/// Folds non-ASCII text so that the ways one word can be written compare equal: width (full-width Latin
/// letters and digits, half-width katakana), case (including `ß` → `ss` and Greek final sigma), and the
/// accents of Latin, Greek and Cyrillic letters (`é` → `e`, `ά` → `α`, `й` → `и`).
///
/// Rules and texts both pass through it (the loader folds every literal, ``TextNormalizer`` every text
/// that holds a non-ASCII byte), so a rule may be written with or without accents and still match.
/// Voicing marks of Japanese kana are *not* accents (`が` is not `か`), and neither are the vowel signs of
/// Indic scripts, so only the mark blocks listed in ``isFoldedMark(_:)`` are dropped. See
/// docs/design/2026-12-03-language-normalisation.md.
public enum UnicodeFold {
    /// The folded form: compatibility-decomposed (NFKD), lower-cased, accents and invisible format
    /// characters dropped, every kind of space and line separator made one ASCII space, typographic
    /// quotes and dashes made ASCII, then recomposed (NFC) so kana and Hangul read as written.
    public static func fold(_ text: String) -> String {
        var out = String.UnicodeScalarView()
        for s in text.decomposedStringWithCompatibilityMapping.unicodeScalars {
            if s.isASCII {
                let v = s.value
                out.append(v >= 0x41 && v <= 0x5A ? Unicode.Scalar(v + 0x20)! : s)
                continue
            }
            if let special = replacement(s) {
                out.append(contentsOf: special.unicodeScalars)
                continue
            }
            switch s.properties.generalCategory {
            case .format:
                // Bidi marks, zero-width spaces and joiners, soft hyphens: invisible, and they split words.
                continue
            case .spaceSeparator, .lineSeparator, .paragraphSeparator:
                out.append(" ")
                continue
            default:
                break
            }
            if isFoldedMark(s) { continue }
            for l in s.properties.lowercaseMapping.unicodeScalars where !isFoldedMark(l) {
                if let special = replacement(l) {
                    out.append(contentsOf: special.unicodeScalars)
                } else {
                    out.append(l)
                }
            }
        }
        return String(out).precomposedStringWithCanonicalMapping
    }

    /// Folds only the non-ASCII parts of `text`, leaving ASCII exactly as written. For regular
    /// expressions: their syntax is ASCII, and lower-casing it would change meaning (`\S` is not `\s`).
    public static func foldNonASCII(_ text: String) -> String {
        guard text.utf8.contains(where: { $0 >= 0x80 }) else { return text }
        var out = ""
        var run = ""
        for ch in text {
            if ch.isASCII {
                if !run.isEmpty {
                    out += fold(run)
                    run = ""
                }
                out.append(ch)
            } else {
                run.append(ch)
            }
        }
        if !run.isEmpty { out += fold(run) }
        return out
    }

    /// Combining marks that are accents on Latin, Greek and Cyrillic letters (and Hebrew points, Arabic
    /// vowel marks), dropped by the fold. Other scripts' marks carry meaning and stay.
    static func isFoldedMark(_ s: Unicode.Scalar) -> Bool {
        switch s.value {
        case 0x0300...0x036F,  // Combining Diacritical Marks
            0x1AB0...0x1AFF,  // Combining Diacritical Marks Extended
            0x1DC0...0x1DFF,  // Combining Diacritical Marks Supplement
            0x20D0...0x20FF,  // Combining Diacritical Marks for Symbols
            0xFE20...0xFE2F,  // Combining Half Marks
            0x0591...0x05C7,  // Hebrew points and cantillation
            0x064B...0x065F, 0x0670:  // Arabic vowel marks (harakat)
            return true
        default:
            return false
        }
    }

    /// Letters that case folding and decomposition leave apart though readers treat them as one, and
    /// punctuation with an ASCII twin.
    static func replacement(_ s: Unicode.Scalar) -> String? {
        switch s.value {
        case 0x00DF, 0x1E9E: return "ss"  // ß ẞ
        case 0x03C2: return "σ"  // final sigma
        case 0x0131: return "i"  // dotless i
        case 0x0141, 0x0142: return "l"  // Ł ł
        case 0x00D8, 0x00F8: return "o"  // Ø ø
        case 0x0110, 0x0111: return "d"  // Đ đ
        case 0x00C6, 0x00E6: return "ae"  // Æ æ
        case 0x0152, 0x0153: return "oe"  // Œ œ
        case 0x2018, 0x2019, 0x201B, 0x02BC, 0x2032: return "'"
        case 0x201C, 0x201D, 0x201E, 0x00AB, 0x00BB: return "\""
        case 0x2010...0x2015, 0x2212: return "-"
        default: return nil
        }
    }
}
