package io.nvfp4.examples.minilm;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The settings of a Hugging Face {@code tokenizer.json} that {@link WordPieceTokenizer} implements,
 * read from the JSON tree and checked: anything else (another model type, normalizer,
 * pre-tokenizer or post-processor) is refused with a {@link TokenizerFormatException} that says what
 * was found and what is supported. The padding section is ignored: the encoder takes sequences of
 * any length, so nothing is padded.
 */
record TokenizerSpec(Map<String, Integer> vocab, int unknownId, String subwordPrefix, int maxCharsPerWord,
                     boolean cleanText, boolean chineseChars, boolean stripAccents, boolean lowercase,
                     List<AddedToken> addedTokens, List<Piece> template, int maxLength, boolean truncateLeft) {

    /** An entry of {@code added_tokens}: matched in the text before anything else, never split. */
    record AddedToken(int id, String content, boolean singleWord, boolean lstrip, boolean rstrip, boolean normalized) {}

    /** A part of the post-processor's template: special token ids, or the text's own tokens. */
    record Piece(boolean isSequence, List<Integer> ids, int typeId) {}

    /** Special tokens the template adds around the text. */
    int specialTokenCount() {
        return template.stream().filter(p -> !p.isSequence()).mapToInt(p -> p.ids().size()).sum();
    }

    /** Reads the settings; {@code modelMaxLength} applies when the file sets no truncation, and caps it otherwise. */
    static TokenizerSpec of(Object json, String source, int modelMaxLength) throws TokenizerFormatException {
        Reader r = new Reader(source);
        Map<String, Object> root = r.object(json, "the document");

        Map<String, Object> model = r.object(root.get("model"), "model");
        String modelType = r.string(model, "type", "WordPiece", "model");
        if (!modelType.equals("WordPiece")) {
            throw r.error("model type is '" + modelType + "'; this tokenizer implements WordPiece (BERT) only");
        }
        Map<String, Object> vocabJson = r.object(model.get("vocab"), "model.vocab");
        Map<String, Integer> vocab = new HashMap<>(vocabJson.size() * 2);
        Map<Integer, String> byId = new HashMap<>(vocabJson.size() * 2);
        for (Map.Entry<String, Object> e : vocabJson.entrySet()) {
            int id = r.id(e.getValue(), "model.vocab['" + e.getKey() + "']");
            String other = byId.putIfAbsent(id, e.getKey());
            if (other != null) {
                throw r.error("model.vocab gives id " + id + " to both '" + other + "' and '" + e.getKey() + "'");
            }
            vocab.put(e.getKey(), id);
        }
        String unknown = r.string(model, "unk_token", "[UNK]", "model");
        Integer unknownId = vocab.get(unknown);
        if (unknownId == null) {
            throw r.error("the unknown token '" + unknown + "' is not in model.vocab");
        }
        String prefix = r.string(model, "continuing_subword_prefix", "##", "model");
        int maxChars = (int) r.integer(model, "max_input_chars_per_word", 100, "model");

        boolean clean = false;
        boolean chinese = false;
        boolean strip = false;
        boolean lower = false;
        Object normalizerJson = root.get("normalizer");
        if (normalizerJson != null) {
            Map<String, Object> normalizer = r.object(normalizerJson, "normalizer");
            String type = r.string(normalizer, "type", null, "normalizer");
            if (!type.equals("BertNormalizer")) {
                throw r.error("normalizer type is '" + type + "'; this tokenizer implements BertNormalizer (or none)");
            }
            clean = r.bool(normalizer, "clean_text", true, "normalizer");
            chinese = r.bool(normalizer, "handle_chinese_chars", true, "normalizer");
            lower = r.bool(normalizer, "lowercase", true, "normalizer");
            Object s = normalizer.get("strip_accents"); // null: strip when lower-casing, as BERT does
            strip = s == null ? lower : r.bool(normalizer, "strip_accents", lower, "normalizer");
        }

        Map<String, Object> pre = r.object(root.get("pre_tokenizer"), "pre_tokenizer");
        String preType = r.string(pre, "type", null, "pre_tokenizer");
        if (!preType.equals("BertPreTokenizer")) {
            throw r.error("pre_tokenizer type is '" + preType + "'; this tokenizer implements BertPreTokenizer");
        }

        List<AddedToken> added = new ArrayList<>();
        Object addedJson = root.get("added_tokens");
        if (addedJson != null) {
            for (Object o : r.list(addedJson, "added_tokens")) {
                Map<String, Object> t = r.object(o, "an added token");
                String content = r.string(t, "content", null, "added token");
                if (content.isEmpty()) {
                    throw r.error("an added token has empty content");
                }
                added.add(new AddedToken(r.id(t.get("id"), "added token '" + content + "' id"), content,
                        r.bool(t, "single_word", false, "added token"), r.bool(t, "lstrip", false, "added token"),
                        r.bool(t, "rstrip", false, "added token"), r.bool(t, "normalized", false, "added token")));
            }
        }

        List<Piece> template = template(r, root.get("post_processor"), vocab);

        int maxLength = modelMaxLength;
        boolean left = false;
        Object truncationJson = root.get("truncation");
        if (truncationJson != null) {
            Map<String, Object> truncation = r.object(truncationJson, "truncation");
            maxLength = (int) Math.min(modelMaxLength, r.integer(truncation, "max_length", modelMaxLength, "truncation"));
            String direction = r.string(truncation, "direction", "Right", "truncation");
            if (!direction.equals("Right") && !direction.equals("Left")) {
                throw r.error("truncation direction is '" + direction + "'; Right or Left expected");
            }
            left = direction.equals("Left");
            String strategy = r.string(truncation, "strategy", "LongestFirst", "truncation");
            if (!strategy.equals("LongestFirst") && !strategy.equals("OnlyFirst")) {
                throw r.error("truncation strategy is '" + strategy + "'; a single text is truncated with"
                        + " LongestFirst or OnlyFirst");
            }
        }
        TokenizerSpec spec = new TokenizerSpec(Map.copyOf(vocab), unknownId, prefix, maxChars, clean, chinese, strip,
                lower, List.copyOf(added), template, maxLength, left);
        if (maxLength <= spec.specialTokenCount()) {
            throw r.error("the maximum length " + maxLength + " leaves no room beside " + spec.specialTokenCount()
                    + " special tokens");
        }
        return spec;
    }

    /** The single-sequence template: TemplateProcessing's {@code single}, BertProcessing's [CLS] A [SEP], or A alone. */
    private static List<Piece> template(Reader r, Object json, Map<String, Integer> vocab) throws TokenizerFormatException {
        if (json == null) {
            return List.of(new Piece(true, List.of(), 0));
        }
        Map<String, Object> post = r.object(json, "post_processor");
        String type = r.string(post, "type", null, "post_processor");
        switch (type) {
            case "BertProcessing" -> {
                List<Object> cls = r.list(post.get("cls"), "post_processor.cls");
                List<Object> sep = r.list(post.get("sep"), "post_processor.sep");
                if (cls.size() != 2 || sep.size() != 2) {
                    throw r.error("post_processor cls and sep must be [token, id] pairs");
                }
                return List.of(new Piece(false, List.of(r.id(cls.get(1), "post_processor.cls id")), 0),
                        new Piece(true, List.of(), 0),
                        new Piece(false, List.of(r.id(sep.get(1), "post_processor.sep id")), 0));
            }
            case "TemplateProcessing" -> {
                Map<String, Object> specials = post.get("special_tokens") == null ? Map.of()
                        : r.object(post.get("special_tokens"), "post_processor.special_tokens");
                List<Piece> pieces = new ArrayList<>();
                int sequences = 0;
                for (Object o : r.list(post.get("single"), "post_processor.single")) {
                    Map<String, Object> item = r.object(o, "a template item");
                    if (item.get("Sequence") != null) {
                        Map<String, Object> seq = r.object(item.get("Sequence"), "template Sequence");
                        if (!"A".equals(seq.get("id"))) {
                            throw r.error("the single-text template refers to sequence '" + seq.get("id") + "'");
                        }
                        pieces.add(new Piece(true, List.of(), (int) r.integer(seq, "type_id", 0, "template Sequence")));
                        sequences++;
                    } else if (item.get("SpecialToken") != null) {
                        Map<String, Object> st = r.object(item.get("SpecialToken"), "template SpecialToken");
                        String name = r.string(st, "id", null, "template SpecialToken");
                        List<Integer> ids = new ArrayList<>();
                        if (specials.get(name) != null) {
                            for (Object id : r.list(r.object(specials.get(name), "special token " + name).get("ids"),
                                    "special token " + name + " ids")) {
                                ids.add(r.id(id, "special token " + name + " id"));
                            }
                        } else if (vocab.containsKey(name)) {
                            ids.add(vocab.get(name));
                        } else {
                            throw r.error("the template's special token '" + name + "' is neither in"
                                    + " post_processor.special_tokens nor in the vocabulary");
                        }
                        pieces.add(new Piece(false, List.copyOf(ids), (int) r.integer(st, "type_id", 0, "template SpecialToken")));
                    } else {
                        throw r.error("a template item is neither Sequence nor SpecialToken: " + item.keySet());
                    }
                }
                if (sequences != 1) {
                    throw r.error("the single-text template must hold sequence A exactly once, it holds it " + sequences
                            + " times");
                }
                return List.copyOf(pieces);
            }
            default -> throw r.error("post_processor type is '" + type
                    + "'; this tokenizer implements TemplateProcessing and BertProcessing");
        }
    }

    /** Typed access to the JSON tree, with errors that name the setting. */
    private record Reader(String source) {
        TokenizerFormatException error(String detail) {
            return new TokenizerFormatException(source, detail);
        }

        @SuppressWarnings("unchecked")
        Map<String, Object> object(Object o, String what) throws TokenizerFormatException {
            if (o instanceof Map<?, ?> m) {
                return (Map<String, Object>) m;
            }
            throw error(what + " is " + (o == null ? "missing" : "not a JSON object"));
        }

        @SuppressWarnings("unchecked")
        List<Object> list(Object o, String what) throws TokenizerFormatException {
            if (o instanceof List<?> l) {
                return (List<Object>) l;
            }
            throw error(what + " is " + (o == null ? "missing" : "not a JSON array"));
        }

        String string(Map<String, Object> m, String key, String absent, String where) throws TokenizerFormatException {
            Object o = m.get(key);
            if (o == null && absent != null) {
                return absent;
            }
            if (o instanceof String s) {
                return s;
            }
            throw error(where + "." + key + " is " + (o == null ? "missing" : "not a string"));
        }

        long integer(Map<String, Object> m, String key, long absent, String where) throws TokenizerFormatException {
            Object o = m.get(key);
            if (o == null) {
                return absent;
            }
            if (o instanceof Long l && l >= 0 && l <= Integer.MAX_VALUE) {
                return l;
            }
            throw error(where + "." + key + " is not a non-negative integer: " + o);
        }

        boolean bool(Map<String, Object> m, String key, boolean absent, String where) throws TokenizerFormatException {
            Object o = m.get(key);
            if (o == null) {
                return absent;
            }
            if (o instanceof Boolean b) {
                return b;
            }
            throw error(where + "." + key + " is not true or false: " + o);
        }

        int id(Object o, String what) throws TokenizerFormatException {
            if (o instanceof Long l && l >= 0 && l < 1 << 24) {
                return (int) (long) l;
            }
            throw error(what + " is not a token id (an integer from 0 to 2^24): " + o);
        }
    }
}
