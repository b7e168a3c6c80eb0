package io.nvfp4.examples.minilm;

import io.nvfp4.backend.ComputePool;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * The BERT encoder forward pass and sentence-transformers pooling: token, position and token type
 * embeddings with a layer norm; per layer, multi-head self-attention and a GELU feed-forward block,
 * each followed by a residual add and a layer norm; then the mean of the last hidden states over the
 * tokens, scaled to unit length. For all-MiniLM-L6-v2 that is 6 layers, 12 heads of 32, hidden 384,
 * feed-forward 1536.
 *
 * <p>The linear layers are {@link Linear}s, so the same forward pass runs in every weight mode.
 * A batch is processed without padding: the tokens of all its texts are stacked into one matrix, so
 * every linear layer is one matmul of (total tokens) rows, and attention runs per text over its own
 * tokens. That is what a padded batch with an attention mask computes (the mask gives padded keys
 * zero weight), without the work on padding.
 *
 * <p>Thread-safe: a forward pass keeps its state in local arrays.
 */
public final class BertEncoder implements AutoCloseable {
    private final BertConfig config;
    private final BertWeights.Embeddings embeddings;
    private final List<LayerLinears> layers;
    private final ComputePool pool;

    /** A layer's linear layers in the current mode, with its fp32 norms. */
    private record LayerLinears(Linear query, Linear key, Linear value, Linear attentionOutput,
                                BertWeights.Norm attentionNorm, Linear intermediate, Linear output,
                                BertWeights.Norm outputNorm) {
        List<Linear> all() {
            return List.of(query, key, value, attentionOutput, intermediate, output);
        }
    }

    /**
     * An encoder over {@code weights} whose linear layers {@code linears} makes from the fp32 ones.
     */
    BertEncoder(BertWeights weights, Function<BertWeights.Dense, Linear> linears, ComputePool pool) {
        this.config = weights.config();
        this.embeddings = weights.embeddings();
        this.pool = Objects.requireNonNull(pool, "pool");
        List<LayerLinears> built = new ArrayList<>();
        for (BertWeights.Layer l : weights.layers()) {
            built.add(new LayerLinears(linears.apply(l.query()), linears.apply(l.key()), linears.apply(l.value()),
                    linears.apply(l.attentionOutput()), l.attentionNorm(), linears.apply(l.intermediate()),
                    linears.apply(l.output()), l.outputNorm()));
        }
        this.layers = List.copyOf(built);
    }

    /** The sizes. */
    public BertConfig config() {
        return config;
    }

    /** Bytes of the linear layers' weights in this mode. */
    public long linearWeightBytes() {
        return layers.stream().flatMap(l -> l.all().stream()).mapToLong(Linear::weightBytes).sum();
    }

    /**
     * The sentence embeddings of {@code batch}: one unit-length vector of {@link BertConfig#hidden()}
     * floats per encoding.
     *
     * @throws IllegalArgumentException if an encoding is empty, longer than the position table, or has
     *                                  an id outside the vocabulary
     */
    public float[][] embed(List<Encoding> batch) {
        int[] offsets = new int[batch.size() + 1];
        for (int s = 0; s < batch.size(); s++) {
            Encoding e = batch.get(s);
            if (e.length() < 1 || e.length() > config.maxPositions()) {
                throw new IllegalArgumentException("encoding " + s + " has " + e.length() + " tokens; the model takes 1 to "
                        + config.maxPositions());
            }
            offsets[s + 1] = offsets[s] + e.length();
        }
        float[] h = hiddenStates(batch, offsets);
        return meanPoolAndNormalize(h, offsets, config.hidden());
    }

    /** The last hidden states, {@code [total tokens, hidden]}, the texts' tokens stacked in order. */
    float[] hiddenStates(List<Encoding> batch, int[] offsets) {
        int tokens = offsets[batch.size()];
        float[] h = embeddingLayer(batch, offsets, tokens);
        for (LayerLinears layer : layers) {
            h = layer(layer, h, offsets, tokens);
        }
        return h;
    }

    /** word + position + token type embedding, then layer norm. */
    private float[] embeddingLayer(List<Encoding> batch, int[] offsets, int tokens) {
        int hidden = config.hidden();
        float[] h = new float[tokens * hidden];
        for (int s = 0; s < batch.size(); s++) {
            Encoding e = batch.get(s);
            for (int p = 0; p < e.length(); p++) {
                int id = e.id(p);
                int type = e.typeId(p);
                if (id < 0 || id >= config.vocabularySize() || type < 0 || type >= config.typeVocabularySize()) {
                    throw new IllegalArgumentException("token " + p + " of encoding " + s + " has id " + id + ", type "
                            + type + ": outside the model's vocabulary of " + config.vocabularySize() + " and "
                            + config.typeVocabularySize() + " types");
                }
                int row = (offsets[s] + p) * hidden;
                for (int c = 0; c < hidden; c++) {
                    h[row + c] = embeddings.words()[id * hidden + c] + embeddings.types()[type * hidden + c]
                            + embeddings.positions()[p * hidden + c];
                }
            }
        }
        layerNorm(h, tokens, embeddings.norm());
        return h;
    }

    private float[] layer(LayerLinears l, float[] h, int[] offsets, int tokens) {
        int hidden = config.hidden();
        float[] q = new float[tokens * hidden];
        float[] k = new float[tokens * hidden];
        float[] v = new float[tokens * hidden];
        l.query().apply(h, tokens, q);
        l.key().apply(h, tokens, k);
        l.value().apply(h, tokens, v);
        float[] context = attention(q, k, v, offsets, tokens);

        float[] attended = new float[tokens * hidden];
        l.attentionOutput().apply(context, tokens, attended);
        addInPlace(attended, h);
        layerNorm(attended, tokens, l.attentionNorm());

        float[] up = new float[tokens * config.intermediate()];
        l.intermediate().apply(attended, tokens, up);
        gelu(up);
        float[] out = new float[tokens * hidden];
        l.output().apply(up, tokens, out);
        addInPlace(out, attended);
        layerNorm(out, tokens, l.outputNorm());
        return out;
    }

    /**
     * Scaled dot-product attention per text and head: softmax(q k^T / sqrt(d)) v over the text's own
     * tokens. Texts x heads run as parallel tasks.
     */
    private float[] attention(float[] q, float[] k, float[] v, int[] offsets, int tokens) {
        int hidden = config.hidden();
        int heads = config.heads();
        float[] context = new float[tokens * hidden];
        int texts = offsets.length - 1;
        pool.parallelFor(texts * heads, task -> attendHead(q, k, v, offsets[task / heads], offsets[task / heads + 1],
                (task % heads) * config.headSize(), context));
        return context;
    }

    /**
     * One head of one text (tokens {@code [first, end)}, columns {@code [head, head + d)}). Written so that
     * C2 vectorizes its two inner loops without the Vector API (see {@link DenseLinear}): the head's keys
     * are copied transposed and its values as they are, one array per row, so that each inner loop
     * indexes two arrays from 0 with the same index. Per query, the scores of all keys are then summed
     * over the head's columns in order, and the context over the keys in order.
     */
    private void attendHead(float[] q, float[] k, float[] v, int first, int end, int head, float[] context) {
        int hidden = config.hidden();
        int d = config.headSize();
        int length = end - first;
        float scale = (float) Math.sqrt(d);
        float[][] keys = new float[d][length]; // keys[c][j]: column c of key j
        float[][] values = new float[length][];
        for (int j = 0; j < length; j++) {
            int row = (first + j) * hidden + head;
            for (int c = 0; c < d; c++) {
                keys[c][j] = k[row + c];
            }
            values[j] = Arrays.copyOfRange(v, row, row + d);
        }
        float[] p = new float[length];
        float[] out = new float[d];
        for (int i = 0; i < length; i++) {
            int qRow = (first + i) * hidden + head;
            Arrays.fill(p, 0);
            for (int c = 0; c < d; c++) {
                float qc = q[qRow + c];
                float[] kc = keys[c];
                for (int j = 0; j < length; j++) {
                    p[j] = Math.fma(qc, kc[j], p[j]);
                }
            }
            float max = Float.NEGATIVE_INFINITY;
            for (int j = 0; j < length; j++) {
                p[j] /= scale;
                max = Math.max(max, p[j]);
            }
            float sum = 0;
            for (int j = 0; j < length; j++) {
                p[j] = (float) Math.exp(p[j] - max);
                sum += p[j];
            }
            Arrays.fill(out, 0);
            for (int j = 0; j < length; j++) {
                float w = p[j] / sum;
                float[] vj = values[j];
                for (int c = 0; c < d; c++) {
                    out[c] = Math.fma(w, vj[c], out[c]);
                }
            }
            System.arraycopy(out, 0, context, qRow, d);
        }
    }

    /** Per row: (x - mean) / sqrt(variance + eps) * gamma + beta; mean and variance summed in double. */
    private void layerNorm(float[] x, int rows, BertWeights.Norm norm) {
        int n = config.hidden();
        float[] gamma = norm.gamma();
        float[] beta = norm.beta();
        for (int r = 0; r < rows; r++) {
            int base = r * n;
            double mean = 0;
            for (int c = 0; c < n; c++) {
                mean += x[base + c];
            }
            mean /= n;
            double variance = 0;
            for (int c = 0; c < n; c++) {
                double dev = x[base + c] - mean;
                variance += dev * dev;
            }
            variance /= n;
            float inverse = (float) (1 / Math.sqrt(variance + config.layerNormEpsilon()));
            float m = (float) mean;
            for (int c = 0; c < n; c++) {
                x[base + c] = (x[base + c] - m) * inverse * gamma[c] + beta[c];
            }
        }
    }

    /**
     * BERT's exact GELU, as the ONNX graph computes it: x * (1 + erf(x / sqrt 2)) * 0.5, with erf in
     * float ({@link Erf#erfFloat}): all float arithmetic, so C2 vectorizes the loop (five times faster
     * than erf in double, measured).
     */
    private static void gelu(float[] x) {
        for (int i = 0; i < x.length; i++) {
            float erf = Erf.erfFloat(x[i] / 1.4142135f);
            x[i] = x[i] * (1 + erf) * 0.5f;
        }
    }

    private static void addInPlace(float[] y, float[] x) {
        for (int i = 0; i < y.length; i++) {
            y[i] += x[i];
        }
    }

    /**
     * sentence-transformers' pooling: the mean of each text's hidden states, then divided by its L2 norm
     * (at least 1e-12, as {@code torch.nn.functional.normalize}). Summed in double.
     */
    static float[][] meanPoolAndNormalize(float[] h, int[] offsets, int hidden) {
        int texts = offsets.length - 1;
        float[][] out = new float[texts][hidden];
        double[] sum = new double[hidden];
        for (int s = 0; s < texts; s++) {
            Arrays.fill(sum, 0);
            for (int t = offsets[s]; t < offsets[s + 1]; t++) {
                for (int c = 0; c < hidden; c++) {
                    sum[c] += h[t * hidden + c];
                }
            }
            int count = offsets[s + 1] - offsets[s];
            double norm = 0;
            for (int c = 0; c < hidden; c++) {
                sum[c] /= count;
                norm += sum[c] * sum[c];
            }
            double scale = 1 / Math.max(Math.sqrt(norm), 1e-12);
            for (int c = 0; c < hidden; c++) {
                out[s][c] = (float) (sum[c] * scale);
            }
        }
        return out;
    }

    /** Frees what the backend holds for the quantized weights. */
    @Override
    public void close() {
        for (LayerLinears l : layers) {
            l.all().forEach(Linear::close);
        }
    }
}
