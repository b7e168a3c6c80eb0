package io.nvfp4.examples.minilm;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The tokenizer against ids known from the bert-base-uncased vocabulary that all-MiniLM-L6-v2 shares
 * (the first two examples are the ones Hugging Face's documentation shows), and against the
 * normalization rules of BertNormalizer / BertPreTokenizer, each checked by hand in the vocabulary.
 */
class WordPieceTokenizerTest {
    private static WordPieceTokenizer tokenizer;

    @BeforeAll
    static void load() throws IOException {
        byte[] json = ModelResources.read(MiniLm.TOKENIZER_RESOURCE, "test");
        tokenizer = WordPieceTokenizer.read(new ByteArrayInputStream(json), "all-minilm-l6-v2-tokenizer.json", 512);
    }

    @Test
    void knownSentencesGiveKnownIds() {
        assertThat(tokenizer.encode("Hello, my dog is cute").ids())
                .containsExactly(101, 7592, 1010, 2026, 3899, 2003, 10140, 102);
        assertThat(tokenizer.encode("The quick brown fox jumps over the lazy dog.").ids())
                .containsExactly(101, 1996, 4248, 2829, 4419, 14523, 2058, 1996, 13971, 3899, 1012, 102);
        assertThat(tokenizer.encode("Hello, my dog is cute").typeIds()).containsOnly(0);
        assertThat(tokenizer.maxLength()).isEqualTo(128); // the file's truncation.max_length
        assertThat(tokenizer.vocabularySize()).isEqualTo(30522);
    }

    @Test
    void lowerCasesAndStripsAccentsAsTheFileSays() {
        // strip_accents is null and lowercase true: accents go (NFD, then no combining marks).
        assertThat(tokenizer.tokenize("Café naïve façade")).containsExactly("cafe", "naive", "facade");
        assertThat(tokenizer.encode("ÅNGSTRÖM").ids()).isEqualTo(tokenizer.encode("angstrom").ids());
        assertThat(tokenizer.tokenize("İstanbul")).containsExactly("istanbul");
    }

    @Test
    void splitsPunctuationAndCjkAndCleansControlCharacters() {
        assertThat(tokenizer.tokenize("don't stop")).containsExactly("don", "'", "t", "stop");
        assertThat(tokenizer.tokenize("e-mail: jane@example.com costs $5"))
                .containsExactly("e", "-", "mail", ":", "jane", "@", "example", ".", "com", "costs", "$", "5");
        // CJK ideographs become words of their own; kana does not.
        assertThat(tokenizer.tokenize("日本語のテキスト")).containsExactly("日", "本", "語", "の", "##テ", "##キ", "##ス", "##ト");
        // NUL and the zero-width space (a format character) are dropped, a tab is a space.
        assertThat(tokenizer.tokenize("a\tb\u0000c\u200bd")).containsExactly("a", "bc", "##d");
        assertThat(tokenizer.tokenize("  \n\t ")).isEmpty();
    }

    @Test
    void wordPieceIsGreedyLongestMatchFirstAndUnknownWordsAreOneToken() {
        assertThat(tokenizer.tokenize("unaffable")).containsExactly("una", "##ffa", "##ble");
        assertThat(tokenizer.tokenize("NVFP4")).containsExactly("n", "##v", "##fp", "##4");
        assertThat(tokenizer.encode("😀 emoji").ids()).containsExactly(101, 100, 7861, 29147, 2072, 102);
        assertThat(tokenizer.tokenize("a".repeat(101))).containsExactly("[UNK]"); // over max_input_chars_per_word
    }

    @Test
    void specialTokensInTheTextStayWhole() {
        assertThat(tokenizer.encode("[CLS] hi [SEP]").ids()).containsExactly(101, 101, 7632, 102, 102);
        assertThat(tokenizer.id("[MASK]")).hasValue(103);
        assertThat(tokenizer.token(7592)).isEqualTo("hello");
    }

    @Test
    void overLongInputIsTruncatedToTheModelLimitWithANotice() {
        String text = "word ".repeat(300);

        Encoding e = tokenizer.encode(text);

        assertThat(e.length()).isEqualTo(128);
        assertThat(e.id(0)).isEqualTo(101);
        assertThat(e.id(127)).isEqualTo(102);
        assertThat(e.truncated()).isTrue();
        assertThat(e.fullLength()).isEqualTo(302);
        assertThat(e.truncationNotice("sentence 7")).isEqualTo("sentence 7 has 302 tokens, more than the model's limit"
                + " of 128; truncated to 128 (special tokens included), the rest is not embedded");
        assertThat(tokenizer.encode("word ".repeat(126)).truncated()).isFalse();
        assertThat(tokenizer.encode("word ".repeat(127)).truncated()).isTrue();
    }

    @Test
    void followsASmallFileTemplateAndLeftTruncation() throws IOException {
        WordPieceTokenizer t = read("""
                {"model": {"type": "WordPiece", "unk_token": "[UNK]",
                           "vocab": {"[UNK]": 0, "[CLS]": 1, "[SEP]": 2, "hello": 3, "world": 4, "##s": 5}},
                 "normalizer": {"type": "BertNormalizer", "lowercase": true},
                 "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": {"type": "BertProcessing", "sep": ["[SEP]", 2], "cls": ["[CLS]", 1]},
                 "truncation": {"max_length": 4, "direction": "Left", "strategy": "LongestFirst"},
                 "added_tokens": [{"id": 6, "content": "<x>", "lstrip": true, "rstrip": true}]}
                """);

        assertThat(t.encode("Hello Worlds").ids()).containsExactly(1, 4, 5, 2); // "hello" cut on the left
        assertThat(t.encode("hello <x> world").truncated()).isTrue();
        assertThat(t.tokenize("hello <x> world")).containsExactly("hello", "<x>", "world");
        assertThat(t.tokenize("HELLOs")).containsExactly("hello", "##s");
        assertThat(t.tokenize("helloz")).containsExactly("[UNK]");
    }

    @Test
    void refusesTokenizersItDoesNotImplement() {
        String base = """
                {"model": {"type": "WordPiece", "unk_token": "[UNK]", "vocab": {"[UNK]": 0, "a": 1}},
                 "normalizer": {"type": "BertNormalizer"}, "pre_tokenizer": {"type": "BertPreTokenizer"},
                 "post_processor": null}
                """;
        assertRefused(base.replace("\"WordPiece\"", "\"BPE\""), "model type is 'BPE'; this tokenizer implements WordPiece");
        assertRefused(base.replace("\"BertNormalizer\"", "\"NFKC\""), "normalizer type is 'NFKC'");
        assertRefused(base.replace("\"BertPreTokenizer\"", "\"ByteLevel\""), "pre_tokenizer type is 'ByteLevel'");
        assertRefused(base.replace("\"post_processor\": null", "\"post_processor\": {\"type\": \"RobertaProcessing\"}"),
                "post_processor type is 'RobertaProcessing'");
        assertRefused(base.replace("\"unk_token\": \"[UNK]\"", "\"unk_token\": \"<unk>\""), "the unknown token '<unk>' is not in model.vocab");
        assertRefused(base.replace("\"a\": 1", "\"a\": 0"), "gives id 0 to both");
        assertRefused(base.replace("\"post_processor\": null", "\"truncation\": {\"max_length\": 10, \"strategy\": \"OnlySecond\"}"),
                "truncation strategy is 'OnlySecond'");
        assertRefused("{\"normalizer\": null}", "model is missing");
        assertRefused("{\"model\": ", "not valid JSON");
        assertRefused("", "not valid JSON: the file is empty");
    }

    private static void assertRefused(String json, String message) {
        assertThatThrownBy(() -> read(json)).isInstanceOf(TokenizerFormatException.class)
                .hasMessageStartingWith("tokenizer file test.json: ").hasMessageContaining(message);
    }

    private static WordPieceTokenizer read(String json) throws IOException {
        return WordPieceTokenizer.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)), "test.json", 512);
    }
}
