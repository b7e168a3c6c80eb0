package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.ModelBuilder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.quantize.MxRecipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;
import io.nvfp4.tensor.QuantizedMatrix;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A miniature gpt-oss: one layer whose MoE experts are MXFP4 {@code _blocks}/{@code _scales}
 * (E = 2, N = 64, K = 64), the rest bf16; and the dense model it stands for, whose expert tensor is
 * [E, K, N] (each expert transposed).
 */
final class GptOssModel {
    static final int E = 2;
    static final int N = 64;
    static final int K = 64;
    static final String EXPERTS = "model.layers.0.mlp.experts.gate_up_proj";

    /** The dequantized experts, [E][N * K] row-major, for checks. */
    final float[][] dequantized = new float[E][];
    final Path quantized;
    final Path dense;

    GptOssModel(Path dir) throws IOException {
        ModelBuilder q = new ModelBuilder(dir.resolve("gpt-oss")).config(config());
        ModelBuilder d = new ModelBuilder(dir.resolve("gpt-oss-bf16")).config(ModelBuilder.llamaConfig());
        byte[] blocks = new byte[E * N * K / 2];
        byte[] scales = new byte[E * N * K / 32];
        float[] transposed = new float[E * K * N];
        for (int e = 0; e < E; e++) {
            float[] w = ModelBuilder.gaussian(N * K, 10 + e);
            for (int i = 0; i < w.length; i++) {
                w[i] = io.nvfp4.format.BF16.round(w[i] * 0.05f);
            }
            QuantizedMatrix m = Quantizer.mx(BlockFormat.MXFP4, MxRecipe.OCP).quantize(FloatMatrix.of(w, N, K));
            System.arraycopy(m.codes().toArray(ValueLayout.JAVA_BYTE), 0, blocks, e * N * K / 2, N * K / 2);
            System.arraycopy(m.scales().toArray(ValueLayout.JAVA_BYTE), 0, scales, e * N * K / 32, N * K / 32);
            dequantized[e] = Dequantizer.dequantize(m);
            for (int r = 0; r < N; r++) {
                for (int c = 0; c < K; c++) {
                    transposed[e * K * N + c * N + r] = w[r * K + c];
                }
            }
        }
        q.bytes(EXPERTS + "_blocks", SafetensorsDType.U8, new long[] {E, N, K / 32, 16}, blocks);
        q.bytes(EXPERTS + "_scales", SafetensorsDType.U8, new long[] {E, N, K / 32}, scales);
        d.floats(EXPERTS, DType.BF16, new long[] {E, K, N}, transposed);
        for (ModelBuilder b : List.of(q, d)) {
            b.gaussian(EXPERTS + "_bias", DType.BF16, 3, 0.1, E, N);
            b.gaussian("model.layers.0.self_attn.q_proj.weight", DType.BF16, 4, 0.1, K, K);
            b.gaussian("model.layers.0.mlp.router.weight", DType.BF16, 5, 0.1, E, K);
            b.gaussian("model.embed_tokens.weight", DType.BF16, 6, 1, 32, K);
        }
        quantized = q.write();
        dense = d.write();
    }

    private static Map<String, Object> config() {
        Map<String, Object> qc = new LinkedHashMap<>();
        qc.put("quant_method", "mxfp4");
        qc.put("modules_to_not_convert", List.of("model.layers.*.self_attn", "model.layers.*.mlp.router",
                "model.embed_tokens", "lm_head"));
        Map<String, Object> c = new LinkedHashMap<>(ModelBuilder.llamaConfig());
        c.put("quantization_config", qc);
        return c;
    }
}
