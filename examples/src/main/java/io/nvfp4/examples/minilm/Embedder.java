package io.nvfp4.examples.minilm;

import java.util.List;

/**
 * Turns texts into sentence embeddings: unit-length vectors whose dot product is the cosine
 * similarity. Ours ({@link SentenceEmbedder}) in each weight mode, and ONNX Runtime's
 * ({@link OrtEmbedder}) as the reference, behind one interface so the demo treats them alike.
 */
public interface Embedder extends AutoCloseable {
    /** A short name for tables and JSON, such as {@code nvfp4} or {@code ort-fp32}. */
    String id();

    /** Bytes of the encoder's linear-layer weights in this engine's storage. */
    long weightBytes();

    /**
     * Embeds {@code texts}, {@code batchSize} at a time (the batch a caller would send, which sets how
     * many rows each matmul has). Texts longer than the model's limit are truncated, with a logged notice.
     *
     * @return one vector per text, in order
     */
    float[][] embed(List<String> texts, int batchSize);

    /** Frees native or backend resources. */
    @Override
    void close();
}
