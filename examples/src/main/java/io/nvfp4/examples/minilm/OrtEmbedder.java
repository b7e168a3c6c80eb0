package io.nvfp4.examples.minilm;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;

import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The reference: ONNX Runtime (CPU, all graph optimizations, one intra-op thread per processor)
 * running the original ONNX model, with our tokenizer and sentence-transformers pooling on its last
 * hidden states. A batch is padded to its longest text with an attention mask, as transformers pads.
 */
public final class OrtEmbedder implements Embedder {
    private final String id;
    private final OrtEnvironment env;
    private final OrtSession session;
    private final WordPieceTokenizer tokenizer;
    private final long weightBytes;
    private final boolean takesTokenTypes;

    private OrtEmbedder(String id, OrtEnvironment env, OrtSession session, WordPieceTokenizer tokenizer, long weightBytes) {
        this.id = id;
        this.env = env;
        this.session = session;
        this.tokenizer = tokenizer;
        this.weightBytes = weightBytes;
        this.takesTokenTypes = session.getInputNames().contains("token_type_ids");
    }

    /**
     * A session on {@code model}.
     *
     * @throws IOException if ONNX Runtime cannot load it (its message says why)
     */
    static OrtEmbedder create(String id, MiniLm.ModelSource model, WordPieceTokenizer tokenizer, long weightBytes)
            throws IOException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
            options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
            options.setIntraOpNumThreads(Runtime.getRuntime().availableProcessors());
            OrtSession session = model.bytes() != null ? env.createSession(model.bytes(), options)
                    : env.createSession(model.file().toString(), options);
            Set<String> inputs = session.getInputNames();
            if (!inputs.contains("input_ids") || !inputs.contains("attention_mask")
                    || !session.getOutputNames().contains("last_hidden_state")) {
                session.close();
                throw new IOException(model.name() + " takes " + inputs + " and gives "
                        + session.getOutputNames() + "; a BERT encoder takes input_ids and attention_mask and gives"
                        + " last_hidden_state");
            }
            return new OrtEmbedder(id, env, session, tokenizer, weightBytes);
        } catch (OrtException e) {
            throw new IOException("ONNX Runtime cannot load " + model.name() + ": " + e.getMessage(), e);
        }
    }

    /** The ONNX Runtime version, such as {@code 1.29.0}. */
    public static String version() {
        return OrtEnvironment.getEnvironment().getVersion();
    }

    @Override
    public String id() {
        return id;
    }

    @Override
    public long weightBytes() {
        return weightBytes;
    }

    @Override
    public float[][] embed(List<String> texts, int batchSize) {
        SentenceEmbedder.checkBatchSize(batchSize);
        List<Encoding> encodings = SentenceEmbedder.encodeAll(tokenizer, texts);
        float[][] out = new float[encodings.size()][];
        for (int from = 0; from < encodings.size(); from += batchSize) {
            List<Encoding> batch = encodings.subList(from, Math.min(encodings.size(), from + batchSize));
            float[][] vectors = run(batch);
            System.arraycopy(vectors, 0, out, from, vectors.length);
        }
        return out;
    }

    private float[][] run(List<Encoding> batch) {
        int n = batch.size();
        int length = batch.stream().mapToInt(Encoding::length).max().orElseThrow();
        long[] ids = new long[n * length];
        long[] mask = new long[n * length];
        long[] types = new long[n * length];
        for (int s = 0; s < n; s++) {
            Encoding e = batch.get(s);
            for (int t = 0; t < e.length(); t++) {
                ids[s * length + t] = e.id(t);
                mask[s * length + t] = 1;
                types[s * length + t] = e.typeId(t);
            }
        }
        long[] shape = {n, length};
        Map<String, OnnxTensor> inputs = new HashMap<>();
        try {
            inputs.put("input_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(ids), shape));
            inputs.put("attention_mask", OnnxTensor.createTensor(env, LongBuffer.wrap(mask), shape));
            if (takesTokenTypes) {
                inputs.put("token_type_ids", OnnxTensor.createTensor(env, LongBuffer.wrap(types), shape));
            }
            try (OrtSession.Result result = session.run(inputs, Set.of("last_hidden_state"))) {
                OnnxTensor hidden = (OnnxTensor) result.get("last_hidden_state").orElseThrow();
                long[] outShape = hidden.getInfo().getShape();
                int width = (int) outShape[2];
                FloatBuffer all = hidden.getFloatBuffer();
                // Keep each text's real tokens only: pooling over them is pooling with the attention mask.
                int[] offsets = new int[n + 1];
                for (int s = 0; s < n; s++) {
                    offsets[s + 1] = offsets[s] + batch.get(s).length();
                }
                float[] packed = new float[offsets[n] * width];
                for (int s = 0; s < n; s++) {
                    all.get(s * length * width, packed, offsets[s] * width, batch.get(s).length() * width);
                }
                return BertEncoder.meanPoolAndNormalize(packed, offsets, width);
            }
        } catch (OrtException e) {
            throw new IllegalStateException("ONNX Runtime failed on " + id + ": " + e.getMessage(), e);
        } finally {
            inputs.values().forEach(OnnxTensor::close);
        }
    }

    @Override
    public void close() {
        try {
            session.close();
        } catch (OrtException e) {
            throw new IllegalStateException("closing the ONNX Runtime session of " + id + " failed", e);
        }
    }

    @Override
    public String toString() {
        return "OrtEmbedder[" + id + "]";
    }
}
