package io.nvfp4.examples.minilm;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.OptionalInt;

/**
 * The BERT WordPiece tokenizer that a Hugging Face {@code tokenizer.json} describes: added (special)
 * tokens matched in the raw text, then {@code BertNormalizer} (clean text, CJK spacing, accent
 * stripping, lower-casing, each as the file says), {@code BertPreTokenizer} (whitespace and
 * punctuation), greedy longest-match-first WordPiece with the file's vocabulary, unknown token,
 * subword prefix and word length limit, the post-processor's template ({@code [CLS] A [SEP]}) and
 * truncation to the file's maximum length. Settings it does not implement are refused when the file
 * is read, with a message that names them, rather than tokenized differently.
 *
 * <p>Immutable and thread-safe.
 */
public final class WordPieceTokenizer {
    private final String source;
    private final TokenizerSpec spec;
    private final String[] tokens; // by id

    private WordPieceTokenizer(String source, TokenizerSpec spec) {
        this.source = source;
        this.spec = spec;
        int size = spec.vocab().values().stream().mapToInt(Integer::intValue).max().orElse(-1) + 1;
        for (TokenizerSpec.AddedToken t : spec.addedTokens()) {
            size = Math.max(size, t.id() + 1);
        }
        tokens = new String[size];
        spec.vocab().forEach((token, id) -> tokens[id] = token);
        for (TokenizerSpec.AddedToken t : spec.addedTokens()) {
            tokens[t.id()] = t.content();
        }
    }

    /**
     * Reads a {@code tokenizer.json}.
     *
     * @param fallbackMaxLength the limit when the file sets no truncation (the model's position count)
     * @throws TokenizerFormatException if it is not JSON or describes a tokenizer this class does not implement
     */
    public static WordPieceTokenizer read(InputStream in, String source, int fallbackMaxLength) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(source, "source");
        Object json;
        try {
            json = JsonTree.parse(in);
        } catch (IOException e) {
            throw new TokenizerFormatException(source, "not valid JSON: " + e.getMessage(), e);
        }
        return new WordPieceTokenizer(source, TokenizerSpec.of(json, source, fallbackMaxLength));
    }

    /** Reads a {@code tokenizer.json} file; see {@link #read(InputStream, String, int)}. */
    public static WordPieceTokenizer read(Path file, int fallbackMaxLength) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            return read(in, file.toString(), fallbackMaxLength);
        }
    }

    /** The file or resource it was read from. */
    public String source() {
        return source;
    }

    /** The most tokens {@link #encode} returns, special tokens included. */
    public int maxLength() {
        return spec.maxLength();
    }

    /** Ids run from 0 to {@code vocabularySize() - 1}. */
    public int vocabularySize() {
        return tokens.length;
    }

    /** The id of {@code token} in the vocabulary or the added tokens. */
    public OptionalInt id(String token) {
        Integer id = spec.vocab().get(token);
        if (id != null) {
            return OptionalInt.of(id);
        }
        return spec.addedTokens().stream().filter(t -> t.content().equals(token))
                .mapToInt(TokenizerSpec.AddedToken::id).findFirst();
    }

    /** The token with id {@code id}, or null if the vocabulary has a gap there. */
    public String token(int id) {
        return tokens[Objects.checkIndex(id, tokens.length)];
    }

    /**
     * Tokenizes {@code text} into the model's input: the template around the word pieces, truncated
     * to {@link #maxLength()} on the side the file says. {@link Encoding#truncated()} tells whether it
     * was cut.
     */
    public Encoding encode(String text) {
        List<Integer> pieces = wordPieceIds(Objects.requireNonNull(text, "text"));
        int specials = spec.specialTokenCount();
        int fullLength = pieces.size() + specials;
        int room = spec.maxLength() - specials;
        if (pieces.size() > room) {
            pieces = spec.truncateLeft() ? pieces.subList(pieces.size() - room, pieces.size()) : pieces.subList(0, room);
        }
        List<Integer> ids = new ArrayList<>(pieces.size() + specials);
        List<Integer> types = new ArrayList<>(pieces.size() + specials);
        for (TokenizerSpec.Piece piece : spec.template()) {
            List<Integer> part = piece.isSequence() ? pieces : piece.ids();
            ids.addAll(part);
            for (int i = 0; i < part.size(); i++) {
                types.add(piece.typeId());
            }
        }
        return new Encoding(ids.stream().mapToInt(Integer::intValue).toArray(),
                types.stream().mapToInt(Integer::intValue).toArray(), fullLength, spec.maxLength());
    }

    /** The word pieces of {@code text} as strings, without the template's special tokens and untruncated. */
    public List<String> tokenize(String text) {
        return wordPieceIds(Objects.requireNonNull(text, "text")).stream().map(id -> tokens[id]).toList();
    }

    /** Added tokens first (in the raw text, or in normalized text for those marked normalized), then WordPiece. */
    private List<Integer> wordPieceIds(String text) {
        List<Integer> ids = new ArrayList<>();
        for (Segment raw : split(text, false)) {
            if (raw.addedId() >= 0) {
                ids.add(raw.addedId());
                continue;
            }
            String normalized = BertText.normalize(raw.text(), spec.cleanText(), spec.chineseChars(),
                    spec.stripAccents(), spec.lowercase());
            for (Segment segment : split(normalized, true)) {
                if (segment.addedId() >= 0) {
                    ids.add(segment.addedId());
                } else {
                    for (String word : BertText.preTokenize(segment.text())) {
                        wordPiece(word, ids);
                    }
                }
            }
        }
        return ids;
    }

    /** Greedy longest-match-first: the word's longest vocabulary prefix, then "##"-prefixed pieces of the rest. */
    private void wordPiece(String word, List<Integer> out) {
        int[] cps = word.codePoints().toArray();
        if (cps.length > spec.maxCharsPerWord()) {
            out.add(spec.unknownId());
            return;
        }
        List<Integer> pieces = new ArrayList<>();
        int start = 0;
        while (start < cps.length) {
            Integer match = null;
            int end = cps.length;
            for (; end > start; end--) {
                String piece = new String(cps, start, end - start);
                match = spec.vocab().get(start > 0 ? spec.subwordPrefix() + piece : piece);
                if (match != null) {
                    break;
                }
            }
            if (match == null) {
                out.add(spec.unknownId()); // a word with any unmatched part is one unknown token
                return;
            }
            pieces.add(match);
            start = end;
        }
        out.addAll(pieces);
    }

    /** A run of text, or an added token found in it ({@code addedId >= 0}). */
    private record Segment(String text, int addedId) {}

    /**
     * Splits {@code text} around the added tokens whose {@code normalized} flag is {@code normalized}:
     * leftmost match first, the longest at a position; lstrip/rstrip take the whitespace beside a match
     * with it, single_word matches only whole words.
     */
    private List<Segment> split(String text, boolean normalized) {
        List<TokenizerSpec.AddedToken> added = spec.addedTokens().stream()
                .filter(t -> t.normalized() == normalized).toList();
        List<Segment> out = new ArrayList<>();
        if (added.isEmpty()) {
            out.add(new Segment(text, -1));
            return out;
        }
        int from = 0;
        int i = 0;
        while (i < text.length()) {
            TokenizerSpec.AddedToken best = null;
            for (TokenizerSpec.AddedToken t : added) {
                if (text.startsWith(t.content(), i) && (best == null || t.content().length() > best.content().length())
                        && (!t.singleWord() || wholeWord(text, i, i + t.content().length()))) {
                    best = t;
                }
            }
            if (best == null) {
                i++;
                continue;
            }
            int start = i;
            int end = i + best.content().length();
            if (best.lstrip()) {
                while (start > from && Character.isWhitespace(text.charAt(start - 1))) {
                    start--;
                }
            }
            if (best.rstrip()) {
                while (end < text.length() && Character.isWhitespace(text.charAt(end))) {
                    end++;
                }
            }
            if (start > from) {
                out.add(new Segment(text.substring(from, start), -1));
            }
            out.add(new Segment(best.content(), best.id()));
            from = end;
            i = end;
        }
        if (from < text.length()) {
            out.add(new Segment(text.substring(from), -1));
        }
        return out;
    }

    private static boolean wholeWord(String text, int start, int end) {
        return (start == 0 || !isWordChar(text.charAt(start - 1))) && (end == text.length() || !isWordChar(text.charAt(end)));
    }

    private static boolean isWordChar(char c) {
        return Character.isLetterOrDigit(c) || c == '_';
    }

    @Override
    public String toString() {
        return "WordPieceTokenizer[" + source + ", " + spec.vocab().size() + " tokens, max length " + spec.maxLength() + "]";
    }
}
