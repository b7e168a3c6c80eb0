package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;
import io.nvfp4.io.ModelBuilder;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Dequantization: back to dense, under the original names and shapes. */
class CheckpointDequantizerTest {
    @TempDir
    Path dir;

    private static CheckpointDequantizer.Options options(DType type) {
        return new CheckpointDequantizer.Options(type, 2, 1L << 40, false);
    }

    @Test
    void roundTripsEveryLayoutToTheOriginalNamesAndShapes() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        for (ConversionOptions o : List.of(ConversionOptions.defaults(),
                ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS),
                ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS).withFormat(BlockFormat.MXFP4))) {
            Path q = dir.resolve("q-" + o.layout() + o.format());
            Converter.convert(in, q, o.withThreads(2), ConversionListener.NONE);
            Path back = dir.resolve("back-" + o.layout() + o.format());
            CheckpointDequantizer.Report r = CheckpointDequantizer.dequantize(q, back, options(DType.F32), ConversionListener.NONE);
            assertThat(r.dequantized()).isEqualTo(14);
            assertThat(r.copied()).isEqualTo(7);

            try (ModelFolder original = ModelFolder.open(in); ModelFolder quantized = ModelFolder.open(q);
                 ModelFolder dense = ModelFolder.open(back)) {
                assertThat(dense.names()).containsExactlyInAnyOrderElementsOf(original.names());
                QuantizedCheckpoint checkpoint = QuantizedCheckpoint.of(quantized);
                for (String name : original.names()) {
                    assertThat(dense.info(name).shape()).isEqualTo(original.info(name).shape());
                    var w = checkpoint.weight(name);
                    if (w.isPresent()) {
                        QuantizedMatrix m = w.get().matrix(0);
                        float[] expected = Dequantizer.dequantize(m);
                        assertThat(ModelBuilder.decode(dense.tensor(name).data(), DType.F32)).as(name).isEqualTo(expected);
                    } else {
                        assertThat(dense.info(name).dtype()).isEqualTo(original.info(name).dtype());
                    }
                }
            }
            assertThat(Json.parseObject(back.resolve("config.json"))).doesNotContainKey("quantization_config")
                    .containsEntry("model_type", "llama");
            assertThat(back.resolve("hf_quant_config.json")).doesNotExist();
            assertThat(back.resolve("quantization_report.json")).doesNotExist();
            assertThat(back.resolve("tokenizer.json")).exists();
            assertThat(QuantizedCheckpointFacts.problemsOf(back)).isEmpty();
        }
    }

    @Test
    void bf16OutputRoundsTheDequantizedValuesAndShards() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.F32);
        Path q = dir.resolve("q");
        Converter.convert(in, q, ConversionOptions.defaults().withThreads(1), ConversionListener.NONE);
        Path back = dir.resolve("back");
        CheckpointDequantizer.Report r = CheckpointDequantizer.dequantize(q, back,
                new CheckpointDequantizer.Options(DType.BF16, 1, 40_000, false), ConversionListener.NONE);
        assertThat(r.files()).contains(ModelFolder.INDEX);
        String name = "model.layers.1.mlp.gate_proj.weight";
        try (ModelFolder quantized = ModelFolder.open(q); ModelFolder dense = ModelFolder.open(back)) {
            assertThat(dense.files().size()).isGreaterThan(1);
            float[] exact = Dequantizer.dequantize(QuantizedCheckpoint.of(quantized).weight(name).orElseThrow().matrix(0));
            float[] rounded = new float[exact.length];
            for (int i = 0; i < exact.length; i++) {
                rounded[i] = io.nvfp4.format.BF16.round(exact[i]);
            }
            assertThat(dense.info(name).dtype()).isEqualTo(io.nvfp4.io.SafetensorsDType.BF16);
            assertThat(ModelBuilder.decode(dense.tensor(name).data(), DType.BF16)).isEqualTo(rounded);
            // copied tensors keep their own type
            assertThat(dense.info("model.norm.weight").dtype()).isEqualTo(io.nvfp4.io.SafetensorsDType.F32);
        }
    }

    @Test
    void gptOssExpertsComeBackTransposedAsTransformersReturnsThem() throws IOException {
        GptOssModel model = new GptOssModel(dir);
        Path back = dir.resolve("back");
        CheckpointDequantizer.Report r = CheckpointDequantizer.dequantize(model.quantized, back, options(DType.F32),
                ConversionListener.NONE);
        assertThat(r.layout()).isEqualTo(CheckpointLayout.GPT_OSS);
        try (ModelFolder dense = ModelFolder.open(back)) {
            assertThat(dense.info(GptOssModel.EXPERTS).shape()).containsExactly(2, 64, 64);
            float[] values = ModelBuilder.decode(dense.tensor(GptOssModel.EXPERTS).data(), DType.F32);
            for (int e = 0; e < GptOssModel.E; e++) {
                for (int n = 0; n < GptOssModel.N; n++) {
                    for (int k = 0; k < GptOssModel.K; k++) {
                        assertThat(values[e * 4096 + k * 64 + n]).isEqualTo(model.dequantized[e][n * 64 + k]);
                    }
                }
            }
            assertThat(dense.contains(GptOssModel.EXPERTS + "_blocks")).isFalse();
            assertThat(dense.contains(GptOssModel.EXPERTS + "_bias")).isTrue();
        }
        assertThat(Json.parseObject(back.resolve("config.json"))).doesNotContainKey("quantization_config");
    }

    @Test
    void aDenseModelHasNothingToDequantize() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        assertThatThrownBy(() -> CheckpointDequantizer.dequantize(in, dir.resolve("out"), options(DType.F32), ConversionListener.NONE))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("no quantized weights");
        assertThat(Arrays.asList(dir.toFile().list())).doesNotContain("out");
    }
}
