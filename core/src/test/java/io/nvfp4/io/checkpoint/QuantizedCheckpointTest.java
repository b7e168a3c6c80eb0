package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.ModelBuilder;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Recognising layouts, reading their weights, and refusing malformed ones. */
class QuantizedCheckpointTest {
    @TempDir
    Path dir;

    @Test
    void recognisesEachLayoutAndItsWeights() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Converter.convert(in, dir.resolve("mo"), ConversionOptions.defaults().withThreads(1), ConversionListener.NONE);
        Converter.convert(in, dir.resolve("ct"), ConversionOptions.defaults().withThreads(1)
                .withLayout(CheckpointLayout.COMPRESSED_TENSORS).withFormat(BlockFormat.MXFP4), ConversionListener.NONE);
        GptOssModel gptOss = new GptOssModel(dir);

        try (ModelFolder dense = ModelFolder.open(in); ModelFolder mo = ModelFolder.open(dir.resolve("mo"));
             ModelFolder ct = ModelFolder.open(dir.resolve("ct")); ModelFolder go = ModelFolder.open(gptOss.quantized)) {
            assertThat(QuantizedCheckpoint.of(dense).isQuantized()).isFalse();

            QuantizedCheckpoint m = QuantizedCheckpoint.of(mo);
            assertThat(m.layout()).contains(CheckpointLayout.MODELOPT);
            assertThat(m.format()).contains(BlockFormat.NVFP4);
            assertThat(m.weights()).hasSize(14);
            QuantizedWeight q = m.weight("model.layers.0.self_attn.q_proj.weight").orElseThrow();
            assertThat(q.components()).containsExactly("model.layers.0.self_attn.q_proj.weight",
                    "model.layers.0.self_attn.q_proj.weight_scale", "model.layers.0.self_attn.q_proj.weight_scale_2");
            assertThat(q.shape()).containsExactly(64, 64);
            assertThat(q.matrix(0).tensorScale()).isPositive();

            QuantizedCheckpoint c = QuantizedCheckpoint.of(ct);
            assertThat(c.layout()).contains(CheckpointLayout.COMPRESSED_TENSORS);
            assertThat(c.format()).contains(BlockFormat.MXFP4);
            assertThat(c.weight("model.layers.1.mlp.down_proj.weight").orElseThrow().shape()).containsExactly(64, 128);

            QuantizedCheckpoint g = QuantizedCheckpoint.of(go);
            assertThat(g.layout()).contains(CheckpointLayout.GPT_OSS);
            QuantizedWeight experts = g.weights().getFirst();
            assertThat(experts.name()).isEqualTo(GptOssModel.EXPERTS);
            assertThat(experts.shape()).containsExactly(2, 64, 64);
            assertThat(experts.experts()).isEqualTo(2);
            assertThat(experts.transposed()).isTrue();
            assertThat(experts.module()).isEqualTo("model.layers.0.mlp.experts");
            assertThat(g.ignores("model.layers.0.self_attn.q_proj")).isTrue();
            assertThat(g.ignores("model.layers.0.mlp.experts")).isFalse();
            assertThat(g.problems()).isEmpty();
        }
    }

    @Test
    void exclusionListsMatchAsEachReaderMatches() {
        List<String> ct = List.of("lm_head", "re:.*mlp\\.gate$");
        assertThat(ExclusionLists.matches(CheckpointLayout.COMPRESSED_TENSORS, ct, "lm_head")).isTrue();
        assertThat(ExclusionLists.matches(CheckpointLayout.COMPRESSED_TENSORS, ct, "model.layers.3.mlp.gate")).isTrue();
        assertThat(ExclusionLists.matches(CheckpointLayout.COMPRESSED_TENSORS, ct, "model.layers.3.mlp.gate_proj")).isFalse();
        assertThat(ExclusionLists.matches(CheckpointLayout.COMPRESSED_TENSORS, ct, "x.lm_head")).isFalse();

        List<String> mo = List.of("*.self_attn.*", "model.layers.[!1].mlp*", "lm_head");
        assertThat(ExclusionLists.matches(CheckpointLayout.MODELOPT, mo, "model.layers.0.self_attn.q_proj")).isTrue();
        assertThat(ExclusionLists.matches(CheckpointLayout.MODELOPT, mo, "model.layers.0.mlp.up_proj")).isTrue();
        assertThat(ExclusionLists.matches(CheckpointLayout.MODELOPT, mo, "model.layers.1.mlp.up_proj")).isFalse();
        assertThat(ExclusionLists.matches(CheckpointLayout.MODELOPT, List.of("model.layers.0"), "model.layers.0.mlp.up_proj"))
                .isTrue();
        assertThat(ExclusionLists.glob("a.b?[xy]").matcher("a.bcx").matches()).isTrue();
        assertThat(ExclusionLists.glob("a.b").matcher("aXb").matches()).isFalse();
    }

    private Path modelopt() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Path out = dir.resolve("mo");
        Converter.convert(in, out, ConversionOptions.defaults().withThreads(1), ConversionListener.NONE);
        return out;
    }

    private void assertUnreadable(Path folder, String... message) {
        assertThatThrownBy(() -> {
            try (ModelFolder m = ModelFolder.open(folder)) {
                QuantizedCheckpoint.of(m);
            }
        }).isInstanceOf(CheckpointException.class).hasMessageContainingAll(message);
    }

    @Test
    void malformedWeightsAreRefusedNamingTheTensor() throws IOException {
        Path mo = modelopt();
        String q = "model.layers.0.self_attn.q_proj";
        assertUnreadable(TinyModels.rewrite(mo, dir.resolve("a"), (t, b) -> t.name().equals(q + ".weight_scale") ? null : b, c -> c),
                "'" + q + ".weight' has no tensor '" + q + ".weight_scale'");

        Path wrongShape = new ModelBuilder(dir.resolve("b"))
                .bytes("x.weight", SafetensorsDType.U8, new long[] {4, 16}, new byte[64])
                .bytes("x.weight_scale", SafetensorsDType.F8_E4M3, new long[] {4, 3}, new byte[12])
                .floats("x.weight_scale_2", DType.F32, new long[] {}, new float[] {1f}).write();
        assertUnreadable(wrongShape, "'x.weight_scale'", "expected [4, 2]");

        Path wrongType = new ModelBuilder(dir.resolve("c"))
                .bytes("x.weight", SafetensorsDType.U8, new long[] {4, 16}, new byte[64])
                .bytes("x.weight_scale", SafetensorsDType.U8, new long[] {4, 2}, new byte[8])
                .floats("x.weight_scale_2", DType.F32, new long[] {}, new float[] {1f}).write();
        assertUnreadable(wrongType, "NVFP4 block scales must be F8_E4M3, found U8");

        Path zeroScale = new ModelBuilder(dir.resolve("d"))
                .bytes("x.weight", SafetensorsDType.U8, new long[] {4, 16}, new byte[64])
                .bytes("x.weight_scale", SafetensorsDType.F8_E4M3, new long[] {4, 2}, new byte[8])
                .floats("x.weight_scale_2", DType.F32, new long[] {}, new float[] {0f}).write();
        assertThatThrownBy(() -> {
            try (ModelFolder m = ModelFolder.open(zeroScale)) {
                QuantizedCheckpoint.of(m).weights().getFirst().matrix(0);
            }
        }).isInstanceOf(CheckpointException.class).hasMessageContaining("x.weight_scale_2").hasMessageContaining("tensor scale");
    }

    @Test
    void configsThisToolDoesNotReadAreRefused() throws IOException {
        Path mo = modelopt();
        Path fp8 = TinyModels.rewrite(mo, dir.resolve("fp8"), (t, b) -> b, c -> withQuantization(c, Map.of("quant_method", "fp8")));
        assertUnreadable(fp8, "quant_method 'fp8'");
        Path ct = TinyModels.rewrite(mo, dir.resolve("ct"), (t, b) -> b, c -> c);
        java.nio.file.Files.writeString(ct.resolve("hf_quant_config.json"),
                "{\"producer\":{\"name\":\"modelopt\"},\"quantization\":{\"quant_algo\":\"FP8\",\"group_size\":16}}");
        assertUnreadable(ct, "quant_algo 'FP8'");
    }

    static Map<String, Object> withQuantization(Map<String, Object> config, Map<String, Object> quantization) {
        Map<String, Object> c = new LinkedHashMap<>(config);
        c.put("quantization_config", new LinkedHashMap<>(quantization));
        return c;
    }
}
