package io.nvfp4.examples.minilm;

import java.text.Normalizer;
import java.util.ArrayList;
import java.util.List;

/**
 * BERT's text normalization and pre-tokenization, as Hugging Face tokenizers implements them
 * ({@code BertNormalizer}, {@code BertPreTokenizer}); the character classes follow its Rust code,
 * which follows Google's original Python, so that the same text gives the same words.
 */
final class BertText {
    private BertText() {}

    /**
     * The BertNormalizer steps, in its order: clean (drop NUL, U+FFFD and control characters; every
     * whitespace character becomes a space), space out CJK ideographs (so each becomes a word), strip
     * accents (NFD, then drop non-spacing marks), lower-case (per code point, Unicode's mapping).
     */
    static String normalize(String text, boolean clean, boolean chineseChars, boolean stripAccents, boolean lowercase) {
        StringBuilder b = new StringBuilder(text.length() + 16);
        text.codePoints().forEach(cp -> {
            if (clean && (cp == 0 || cp == 0xFFFD || isControl(cp))) {
                return;
            }
            if (clean && isWhitespace(cp)) {
                b.append(' ');
            } else if (chineseChars && isCjk(cp)) {
                b.append(' ').appendCodePoint(cp).append(' ');
            } else {
                b.appendCodePoint(cp);
            }
        });
        String s = b.toString();
        if (stripAccents) {
            StringBuilder stripped = new StringBuilder(s.length());
            Normalizer.normalize(s, Normalizer.Form.NFD).codePoints()
                    .filter(cp -> Character.getType(cp) != Character.NON_SPACING_MARK)
                    .forEach(stripped::appendCodePoint);
            s = stripped.toString();
        }
        if (lowercase) {
            StringBuilder lower = new StringBuilder(s.length());
            // Rust's char::to_lowercase: the full mapping, per code point (no context, so no final sigma).
            // The one code point whose full lower case is two is U+0130, capital I with dot above.
            s.codePoints().forEach(cp -> {
                if (cp == 0x130) {
                    lower.append("i\u0307");
                } else {
                    lower.appendCodePoint(Character.toLowerCase(cp));
                }
            });
            s = lower.toString();
        }
        return s;
    }

    /** BertPreTokenizer: split on whitespace (dropped) and around each punctuation character (kept, alone). */
    static List<String> preTokenize(String text) {
        List<String> words = new ArrayList<>();
        StringBuilder word = new StringBuilder();
        text.codePoints().forEach(cp -> {
            if (isWhitespace(cp)) {
                flush(word, words);
            } else if (isPunctuation(cp)) {
                flush(word, words);
                words.add(Character.toString(cp));
            } else {
                word.appendCodePoint(cp);
            }
        });
        flush(word, words);
        return words;
    }

    private static void flush(StringBuilder word, List<String> words) {
        if (!word.isEmpty()) {
            words.add(word.toString());
            word.setLength(0);
        }
    }

    /** Tab, newline, carriage return, and Unicode's White_Space property (Rust's char::is_whitespace). */
    static boolean isWhitespace(int cp) {
        return switch (cp) {
            case '\t', '\n', 0x0B, 0x0C, '\r', ' ', 0x85, 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000 -> true;
            default -> cp >= 0x2000 && cp <= 0x200A;
        };
    }

    /** Unicode "Other" categories (Cc, Cf, Cn, Co, Cs), except tab, newline and carriage return. */
    static boolean isControl(int cp) {
        if (cp == '\t' || cp == '\n' || cp == '\r') {
            return false;
        }
        return switch (Character.getType(cp)) {
            case Character.CONTROL, Character.FORMAT, Character.UNASSIGNED, Character.PRIVATE_USE, Character.SURROGATE -> true;
            default -> false;
        };
    }

    /** ASCII punctuation (which includes symbols such as $ + < = > ^ ` | ~) and Unicode's P* categories. */
    static boolean isPunctuation(int cp) {
        if (cp < 128) {
            return (cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96) || (cp >= 123 && cp <= 126);
        }
        return switch (Character.getType(cp)) {
            case Character.CONNECTOR_PUNCTUATION, Character.DASH_PUNCTUATION, Character.START_PUNCTUATION,
                 Character.END_PUNCTUATION, Character.INITIAL_QUOTE_PUNCTUATION, Character.FINAL_QUOTE_PUNCTUATION,
                 Character.OTHER_PUNCTUATION -> true;
            default -> false;
        };
    }

    /** The CJK Unified Ideographs blocks BERT treats as words of their own (not Hangul, Hiragana, Katakana). */
    static boolean isCjk(int cp) {
        return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) || (cp >= 0x20000 && cp <= 0x2A6DF)
                || (cp >= 0x2A700 && cp <= 0x2B73F) || (cp >= 0x2B740 && cp <= 0x2B81F) || (cp >= 0x2B820 && cp <= 0x2CEAF)
                || (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x2F800 && cp <= 0x2FA1F);
    }
}
