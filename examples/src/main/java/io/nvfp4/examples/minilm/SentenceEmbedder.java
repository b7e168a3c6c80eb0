package io.nvfp4.examples.minilm;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Our sentence embedder: the {@link WordPieceTokenizer} and the {@link BertEncoder} in one
 * {@link WeightMode}. Made by {@link MiniLm#embedder}. Thread-safe.
 */
public final class SentenceEmbedder implements Embedder {
    private static final Logger LOG = LoggerFactory.getLogger(SentenceEmbedder.class);

    private final WeightMode mode;
    private final WordPieceTokenizer tokenizer;
    private final BertEncoder encoder;

    SentenceEmbedder(WeightMode mode, WordPieceTokenizer tokenizer, BertEncoder encoder) {
        this.mode = mode;
        this.tokenizer = tokenizer;
        this.encoder = encoder;
    }

    @Override
    public String id() {
        return mode.id();
    }

    /** The weight mode. */
    public WeightMode mode() {
        return mode;
    }

    /** The encoder, for callers that tokenize themselves. */
    public BertEncoder encoder() {
        return encoder;
    }

    @Override
    public long weightBytes() {
        return encoder.linearWeightBytes();
    }

    @Override
    public float[][] embed(List<String> texts, int batchSize) {
        List<Encoding> encodings = encodeAll(tokenizer, texts);
        return embedEncodings(encodings, batchSize);
    }

    /** Embeds encodings already made, {@code batchSize} at a time. */
    public float[][] embedEncodings(List<Encoding> encodings, int batchSize) {
        checkBatchSize(batchSize);
        float[][] out = new float[encodings.size()][];
        for (int from = 0; from < encodings.size(); from += batchSize) {
            int to = Math.min(encodings.size(), from + batchSize);
            float[][] batch = encoder.embed(encodings.subList(from, to));
            System.arraycopy(batch, 0, out, from, batch.length);
        }
        return out;
    }

    /** Tokenizes every text, logging a notice for each one that had to be truncated. */
    static List<Encoding> encodeAll(WordPieceTokenizer tokenizer, List<String> texts) {
        Objects.requireNonNull(texts, "texts");
        List<Encoding> encodings = new ArrayList<>(texts.size());
        for (int i = 0; i < texts.size(); i++) {
            Encoding e = tokenizer.encode(texts.get(i));
            if (e.truncated()) {
                LOG.warn(e.truncationNotice("input " + i));
            }
            encodings.add(e);
        }
        return encodings;
    }

    static void checkBatchSize(int batchSize) {
        if (batchSize < 1) {
            throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
        }
    }

    @Override
    public void close() {
        encoder.close();
    }

    @Override
    public String toString() {
        return "SentenceEmbedder[" + mode.id() + "]";
    }
}
