package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;
import io.nvfp4.io.ModelBuilder;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.quantize.Nvfp4Recipe;
import io.nvfp4.quantize.Quantizer;
import io.nvfp4.quantize.Recipe;
import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Conversion: layouts, bytes, configs, selection, files, and failures. */
class ConverterTest {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final String Q = "model.layers.0.self_attn.q_proj";

    @TempDir
    Path dir;

    private static ConversionReport convert(Path in, Path out, ConversionOptions options) throws IOException {
        return Converter.convert(in, out, options.withThreads(2), ConversionListener.NONE);
    }

    /** What the library's quantizer makes of a source tensor, whole. */
    private static QuantizedMatrix expected(Path source, String name, BlockFormat format, Recipe recipe) throws IOException {
        try (ModelFolder m = ModelFolder.open(source)) {
            return Quantizer.of(format, recipe).quantize(m.tensor(name).matrix());
        }
    }

    private static List<String> files(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void modeloptCheckpointIsBitExactAndComplete() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Path out = dir.resolve("out");
        ConversionReport report = convert(in, out, ConversionOptions.defaults());

        assertThat(files(out)).containsExactly("config.json", "generation_config.json", "hf_quant_config.json",
                "model.safetensors", "quantization_report.json", "tokenizer.json");
        QuantizedMatrix q = expected(in, Q + ".weight", BlockFormat.NVFP4, Nvfp4Recipe.MODELOPT);
        assertThat(TinyModels.describe(out, Q + ".weight")).isEqualTo("U8[64, 32]");
        assertThat(TinyModels.describe(out, Q + ".weight_scale")).isEqualTo("F8_E4M3[64, 4]");
        assertThat(TinyModels.describe(out, Q + ".weight_scale_2")).isEqualTo("F32[]");
        assertThat(TinyModels.bytes(out, Q + ".weight")).isEqualTo(q.codes().toArray(ValueLayout.JAVA_BYTE));
        assertThat(TinyModels.bytes(out, Q + ".weight_scale")).isEqualTo(q.scales().toArray(ValueLayout.JAVA_BYTE));
        assertThat(MemorySegment.ofArray(TinyModels.bytes(out, Q + ".weight_scale_2")).get(F32_LE, 0)).isEqualTo(q.tensorScale());
        // copied unchanged: same dtype, same bytes
        for (String dense : List.of("model.embed_tokens.weight", "lm_head.weight", "model.norm.weight",
                "model.layers.1.input_layernorm.weight")) {
            assertThat(TinyModels.info(out, dense).spec()).isEqualTo(TinyModels.info(in, dense).spec());
            assertThat(TinyModels.bytes(out, dense)).isEqualTo(TinyModels.bytes(in, dense));
        }
        assertThat(report.quantizedCount()).isEqualTo(14);
        assertThat(report.tensors()).filteredOn(TensorReport::quantized)
                .allSatisfy(t -> assertThat(t.error().sqnrDb()).isBetween(18.0, 22.0));
        assertThat(report.tensors()).filteredOn(t -> t.name().equals("lm_head.weight")).singleElement()
                .satisfies(t -> assertThat(t.reason()).startsWith("lm_head"));
        assertThat(report.notes()).anyMatch(n -> n.contains("original/")).anyMatch(n -> n.contains("pytorch_model.bin"));
    }

    @Test
    void modeloptConfigsAreWrittenAsModeloptWritesThem() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Path out = dir.resolve("out");
        convert(in, out, ConversionOptions.defaults());

        Map<String, Object> hq = Json.parseObject(out.resolve("hf_quant_config.json"));
        assertThat(hq.keySet()).containsExactly("producer", "quantization");
        Map<String, Object> quantization = Json.object(hq, "quantization").orElseThrow();
        assertThat(quantization.keySet()).containsExactly("quant_algo", "kv_cache_quant_algo", "group_size", "exclude_modules");
        assertThat(quantization).containsEntry("quant_algo", "W4A16_NVFP4").containsEntry("kv_cache_quant_algo", null)
                .containsEntry("group_size", new Json.RawNumber("16"));
        assertThat(Json.array(quantization, "exclude_modules").orElseThrow()).containsExactlyInAnyOrder("model.embed_tokens", "lm_head");
        assertThat(Files.readString(out.resolve("hf_quant_config.json"))).startsWith("{\n    \"producer\": {");

        Map<String, Object> config = Json.parseObject(out.resolve("config.json"));
        assertThat(List.copyOf(config.keySet())).isSorted().contains("quantization_config", "model_type");
        assertThat(config.get("rms_norm_eps")).isEqualTo(new Json.RawNumber("1e-05"));
        Map<String, Object> qc = Json.object(config, "quantization_config").orElseThrow();
        assertThat(qc.keySet()).containsExactly("config_groups", "ignore", "quant_algo", "producer", "quant_method");
        assertThat(qc).containsEntry("quant_method", "modelopt").containsEntry("quant_algo", "W4A16_NVFP4");
        assertThat(qc.get("ignore")).isEqualTo(quantization.get("exclude_modules"));
        Map<String, Object> group = Json.object(Json.object(qc, "config_groups").orElseThrow(), "group_0").orElseThrow();
        assertThat(group.keySet()).containsExactly("weights", "targets");
        assertThat(Json.object(group, "weights").orElseThrow().keySet()).containsExactly("dynamic", "num_bits", "type", "group_size");
        assertThat(QuantizedCheckpointFacts.problemsOf(out)).isEmpty();
    }

    @ParameterizedTest
    @EnumSource(DType.class)
    void compressedTensorsNvfp4UsesTheRecipeOfTheSourceType(DType type) throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), type);
        Path out = dir.resolve("out");
        ConversionReport report = convert(in, out, ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS));

        Nvfp4Recipe recipe = type == DType.BF16 ? Nvfp4Recipe.COMPRESSED_TENSORS_BF16 : Nvfp4Recipe.COMPRESSED_TENSORS;
        assertThat(Converter.recipe(CheckpointLayout.COMPRESSED_TENSORS, BlockFormat.NVFP4, type)).isEqualTo(recipe);
        String up = "model.layers.1.mlp.up_proj";
        QuantizedMatrix q = expected(in, up + ".weight", BlockFormat.NVFP4, recipe);
        assertThat(TinyModels.describe(out, up + ".weight_packed")).isEqualTo("U8[128, 32]");
        assertThat(TinyModels.describe(out, up + ".weight_scale")).isEqualTo("F8_E4M3[128, 4]");
        assertThat(TinyModels.describe(out, up + ".weight_global_scale")).isEqualTo("F32[1]");
        assertThat(TinyModels.bytes(out, up + ".weight_packed")).isEqualTo(q.codes().toArray(ValueLayout.JAVA_BYTE));
        assertThat(TinyModels.bytes(out, up + ".weight_scale")).isEqualTo(q.scales().toArray(ValueLayout.JAVA_BYTE));
        float g = MemorySegment.ofArray(TinyModels.bytes(out, up + ".weight_global_scale")).get(F32_LE, 0);
        assertThat(g).isEqualTo(q.tensorScale()).isGreaterThan(1000f); // 2688 / amax: the encode direction
        assertThat(report.tensors()).filteredOn(TensorReport::quantized).extracting(TensorReport::recipe).containsOnly(recipe.name());

        Map<String, Object> qc = TinyModels.quantizationConfig(out);
        assertThat(List.copyOf(qc.keySet())).isSorted();
        assertThat(qc).containsEntry("quant_method", "compressed-tensors").containsEntry("format", "nvfp4-pack-quantized")
                .containsEntry("quantization_status", "compressed");
        Map<String, Object> group = Json.object(Json.object(qc, "config_groups").orElseThrow(), "group_0").orElseThrow();
        assertThat(group).containsEntry("input_activations", null).containsEntry("targets", List.of("Linear"));
        assertThat(Json.object(group, "weights").orElseThrow()).containsEntry("strategy", "tensor_group")
                .containsEntry("group_size", new Json.RawNumber("16")).containsEntry("scale_dtype", "float8_e4m3fn");
        assertThat(out.resolve("hf_quant_config.json")).doesNotExist();
        assertThat(QuantizedCheckpointFacts.problemsOf(out)).isEmpty();
    }

    @Test
    void mxfp4IsCompressedTensorsBitExact() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Path out = dir.resolve("out");
        ConversionReport report = convert(in, out, ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS)
                .withFormat(BlockFormat.MXFP4));

        String down = "model.layers.0.mlp.down_proj";
        QuantizedMatrix q = expected(in, down + ".weight", BlockFormat.MXFP4, Converter.COMPRESSED_TENSORS_MXFP4);
        assertThat(TinyModels.describe(out, down + ".weight_packed")).isEqualTo("U8[64, 64]");
        assertThat(TinyModels.describe(out, down + ".weight_scale")).isEqualTo("U8[64, 4]");
        assertThat(TinyModels.bytes(out, down + ".weight_packed")).isEqualTo(q.codes().toArray(ValueLayout.JAVA_BYTE));
        assertThat(TinyModels.bytes(out, down + ".weight_scale")).isEqualTo(q.scales().toArray(ValueLayout.JAVA_BYTE));
        assertThat(TinyModels.info(out, down + ".weight_packed")).isNotNull();
        try (ModelFolder m = ModelFolder.open(out)) {
            assertThat(m.contains(down + ".weight_global_scale")).isFalse();
        }
        assertThat(TinyModels.quantizationConfig(out)).containsEntry("format", "mxfp4-pack-quantized");
        assertThat(report.scheme()).isEqualTo("mxfp4-pack-quantized");
        assertThat(report.tensors()).filteredOn(TensorReport::quantized).extracting(TensorReport::recipe)
                .containsOnly("COMPRESSED_TENSORS_MXFP4");
        assertThat(QuantizedCheckpointFacts.problemsOf(out)).isEmpty();
    }

    @Test
    void tallTensorsAreQuantizedInChunksToTheSameBytes() throws IOException {
        // 300 x 4096: 256 rows a chunk, so two chunks, quantized with the whole tensor's amax.
        Path in = new ModelBuilder(dir.resolve("in")).gaussian("blk.proj.weight", DType.BF16, 5, 0.02, 300, 4096)
                .floats("blk.zero.weight", DType.F32, new long[] {600, 2048}, new float[600 * 2048]).write();
        for (CheckpointLayout layout : List.of(CheckpointLayout.MODELOPT, CheckpointLayout.COMPRESSED_TENSORS)) {
            Path out = dir.resolve("out-" + layout);
            convert(in, out, ConversionOptions.defaults().withLayout(layout));
            DType type = DType.BF16;
            Recipe recipe = Converter.recipe(layout, BlockFormat.NVFP4, type);
            QuantizedMatrix q = expected(in, "blk.proj.weight", BlockFormat.NVFP4, recipe);
            String codes = layout == CheckpointLayout.MODELOPT ? "blk.proj.weight" : "blk.proj.weight_packed";
            assertThat(TinyModels.bytes(out, codes)).isEqualTo(q.codes().toArray(ValueLayout.JAVA_BYTE));
            assertThat(TinyModels.bytes(out, "blk.proj.weight_scale")).isEqualTo(q.scales().toArray(ValueLayout.JAVA_BYTE));
            // an all-zero tensor: the quantizer's own rule (tensor scale 1), chunk by chunk too
            QuantizedMatrix zero = expected(in, "blk.zero.weight", BlockFormat.NVFP4, Converter.recipe(layout, BlockFormat.NVFP4, DType.F32));
            String zeroScales = "blk.zero.weight_scale";
            assertThat(TinyModels.bytes(out, zeroScales)).isEqualTo(zero.scales().toArray(ValueLayout.JAVA_BYTE));
        }
    }

    @Test
    void fusedSiblingsShareOneTensorScale() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Path out = dir.resolve("out");
        ConversionReport report = convert(in, out, ConversionOptions.defaults().withFuseScales(true));

        String attn = "model.layers.0.self_attn.";
        float q = scale(out, attn + "q_proj.weight_scale_2");
        assertThat(scale(out, attn + "k_proj.weight_scale_2")).isEqualTo(q);
        assertThat(scale(out, attn + "v_proj.weight_scale_2")).isEqualTo(q);
        assertThat(scale(out, attn + "o_proj.weight_scale_2")).isNotEqualTo(q);
        assertThat(scale(out, "model.layers.0.mlp.gate_proj.weight_scale_2"))
                .isEqualTo(scale(out, "model.layers.0.mlp.up_proj.weight_scale_2"));
        // the shared scale is that of the largest amax of the three (k_proj's, by construction)
        float amax = 0;
        try (ModelFolder m = ModelFolder.open(in)) {
            for (String s : List.of("q_proj", "k_proj", "v_proj")) {
                var w = m.tensor(attn + s + ".weight").matrix();
                for (long r = 0; r < w.rows(); r++) {
                    for (long c = 0; c < w.columns(); c++) {
                        amax = Math.max(amax, Math.abs(w.get(r, c)));
                    }
                }
            }
            QuantizedMatrix v = Quantizer.nvfp4(Nvfp4Recipe.MODELOPT).withTensorAmax(amax)
                    .quantize(m.tensor(attn + "v_proj.weight").matrix());
            assertThat(q).isEqualTo(v.tensorScale());
            assertThat(TinyModels.bytes(out, attn + "v_proj.weight")).isEqualTo(v.codes().toArray(ValueLayout.JAVA_BYTE));
        }
        assertThat(report.tensors()).filteredOn(t -> t.name().equals(attn + "k_proj.weight")).singleElement()
                .extracting(TensorReport::scaleGroup).isEqualTo("model.layers.0.self_attn.{q,k,v}_proj");
        assertThat(report.fuseScales()).isTrue();
        assertThatThrownBy(() -> ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS)
                .withFormat(BlockFormat.MXFP4).withFuseScales(true)).isInstanceOf(IllegalArgumentException.class);
    }

    private static float scale(Path folder, String name) throws IOException {
        return MemorySegment.ofArray(TinyModels.bytes(folder, name)).get(F32_LE, 0);
    }

    @Test
    void includeAndExcludeAdjustTheSelection() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Path out = dir.resolve("out");
        ConversionReport report = convert(in, out, ConversionOptions.defaults().withExcludes(List.of(Pattern.compile("\\.mlp\\."))));
        assertThat(report.tensors()).filteredOn(TensorReport::quantized).extracting(TensorReport::name)
                .allMatch(n -> n.contains("self_attn")).hasSize(8);
        assertThat(report.tensors()).filteredOn(t -> t.name().contains("mlp")).extracting(TensorReport::reason)
                .containsOnly("--exclude \\.mlp\\.");
        assertThat(Json.array(TinyModels.quantizationConfig(out), "ignore").orElseThrow())
                .contains("model.layers.0.mlp.up_proj", "lm_head");
        assertThat(QuantizedCheckpointFacts.problemsOf(out)).isEmpty();

        Path only = dir.resolve("only");
        ConversionReport lmHead = convert(in, only, ConversionOptions.defaults()
                .withIncludes(List.of(Pattern.compile("^lm_head\\.weight$"), Pattern.compile("down_proj")))
                .withExcludes(List.of(Pattern.compile("layers\\.1\\."))));
        assertThat(lmHead.tensors()).filteredOn(TensorReport::quantized).extracting(TensorReport::name)
                .containsExactlyInAnyOrder("model.layers.0.mlp.down_proj.weight", "lm_head.weight");
        assertThat(Json.array(TinyModels.quantizationConfig(only), "ignore").orElseThrow()).doesNotContain("lm_head");
        assertThat(QuantizedCheckpointFacts.problemsOf(only)).isEmpty();
    }

    @Test
    void weightsThatCannotBeQuantizedAreCopiedWithTheReason() throws IOException {
        Path in = new ModelBuilder(dir.resolve("in"))
                .gaussian("vision.proj.weight", DType.BF16, 1, 0.1, 8, 4304 / 4) // 1076 is not a multiple of 16
                .gaussian("experts.gate_up_proj", DType.BF16, 2, 0.1, 2, 32, 16)
                .gaussian("ok.weight", DType.BF16, 3, 0.1, 8, 32)
                .bytes("ids.weight", SafetensorsDType.I64, new long[] {2, 16}, new byte[256]).write();
        Path out = dir.resolve("out");
        ConversionReport r = convert(in, out, ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS)
                .withFormat(BlockFormat.MXFP4));
        Map<String, String> reasons = new java.util.HashMap<>();
        r.tensors().stream().filter(t -> !t.quantized()).forEach(t -> reasons.put(t.name(), t.reason()));
        assertThat(reasons).containsEntry("vision.proj.weight", "input size 1076 is not a multiple of 32")
                .containsEntry("experts.gate_up_proj", "not a .weight")
                .containsEntry("ids.weight", "I64 (only F32, BF16 and F16 are quantized)")
                .doesNotContainKey("ok.weight");
        assertThat(r.notes()).anyMatch(n -> n.contains("no config.json"));
    }

    @Test
    void nonFiniteValuesFailNamingTheTensorAndLeaveNothing() throws IOException {
        float[] values = new float[16 * 32];
        values[100] = Float.NaN;
        Path in = new ModelBuilder(dir.resolve("in")).config(ModelBuilder.llamaConfig())
                .gaussian("a.weight", DType.F32, 1, 1, 16, 32)
                .floats("b.weight", DType.F32, new long[] {16, 32}, values).write();
        Path out = dir.resolve("out");
        assertThatThrownBy(() -> convert(in, out, ConversionOptions.defaults()))
                .isInstanceOf(CheckpointException.class)
                .hasMessageContaining("'b.weight'").hasMessageContaining("row 3, column 4 is NaN");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void anInterruptedConversionLeavesNoFileThatLooksComplete() throws IOException {
        Path in = TinyModels.llama(dir.resolve("in"), DType.BF16).write(30_000);
        Path out = dir.resolve("out");
        ConversionListener failing = new ConversionListener() {
            private int files;

            @Override
            public void fileWritten(Path file, int index, int count) {
                if (++files == 2) {
                    throw new IllegalStateException("power cut after " + file.getFileName());
                }
            }
        };
        assertThatThrownBy(() -> Converter.convert(in, out, ConversionOptions.defaults().withMaxShardSize(30_000), failing))
                .hasMessageContaining("power cut");
        assertThat(out).isEmptyDirectory();
    }

    @Test
    void aShardedInputConvertsToACorrectlyIndexedOutput() throws IOException {
        Path in = TinyModels.llama(dir.resolve("in"), DType.BF16).write(70_000);
        try (ModelFolder m = ModelFolder.open(in)) {
            assertThat(m.files()).hasSize(3);
        }
        Path out = dir.resolve("out");
        ConversionReport report = convert(in, out, ConversionOptions.defaults().withMaxShardSize(12_000));

        Map<String, Object> index = Json.parseObject(out.resolve(ModelFolder.INDEX));
        Map<String, Object> weightMap = Json.object(index, "weight_map").orElseThrow();
        try (ModelFolder m = ModelFolder.open(out)) {
            assertThat(m.files().size()).isGreaterThan(1);
            assertThat(List.copyOf(weightMap.keySet())).containsExactlyInAnyOrderElementsOf(m.names()).isSorted();
            for (String name : m.names()) {
                assertThat(weightMap.get(name)).isEqualTo(m.file(name).getFileName().toString());
            }
            assertThat(Json.object(index, "metadata").flatMap(md -> Json.integer(md, "total_size"))).contains(m.totalSize());
            assertThat(m.totalSize()).isEqualTo(report.outputBytes());
            // a weight and its scales share a shard
            assertThat(m.file(Q + ".weight_scale")).isEqualTo(m.file(Q + ".weight"));
        }
        assertThat(report.files()).contains(ModelFolder.INDEX).last().isEqualTo(Converter.REPORT_FILE);
        assertThat(QuantizedCheckpointFacts.problemsOf(out)).isEmpty();
    }

    @Test
    void theOutputFolderMustBeNewOrEmptyUnlessOverwriting() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.F16);
        Path out = Files.createDirectories(dir.resolve("out"));
        Files.writeString(out.resolve("keep.txt"), "x");
        assertThatThrownBy(() -> convert(in, out, ConversionOptions.defaults())).hasMessageContaining("is not empty");
        assertThat(out.resolve("keep.txt")).exists();

        convert(in, out, ConversionOptions.defaults().withOverwrite(true));
        assertThat(out.resolve("keep.txt")).doesNotExist();
        assertThat(out.resolve("model.safetensors")).exists();

        assertThatThrownBy(() -> convert(in, in, ConversionOptions.defaults().withOverwrite(true)))
                .hasMessageContaining("must be neither the input");
        assertThatThrownBy(() -> convert(in, dir, ConversionOptions.defaults().withOverwrite(true)))
                .hasMessageContaining("must be neither the input");
        assertThat(in.resolve("model.safetensors")).exists();
    }

    @Test
    void aQuantizedInputIsRefused() throws IOException {
        Path in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        Path out = dir.resolve("out");
        convert(in, out, ConversionOptions.defaults());
        assertThatThrownBy(() -> convert(out, dir.resolve("again"), ConversionOptions.defaults()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("already quantized");
        Files.delete(out.resolve("config.json"));
        Files.delete(out.resolve("hf_quant_config.json"));
        assertThatThrownBy(() -> convert(out, dir.resolve("again"), ConversionOptions.defaults()))
                .isInstanceOf(CheckpointException.class).hasMessageContaining("already quantized (modelopt NVFP4 tensors)");
    }

    @Test
    void aSingleFileConvertsAndTheReportIsWritten() throws IOException {
        Path in = TinyModels.llama(dir.resolve("in"), DType.F32).write().resolve("model.safetensors");
        Path out = dir.resolve("out");
        ConversionReport report = convert(in, out, ConversionOptions.defaults());
        assertThat(files(out)).containsExactly("hf_quant_config.json", "model.safetensors", "quantization_report.json");

        Map<String, Object> json = Json.parseObject(out.resolve("quantization_report.json"));
        assertThat(json).containsEntry("layout", "modelopt").containsEntry("format", "NVFP4").containsEntry("scheme", "W4A16_NVFP4");
        List<Object> tensors = Json.array(json, "tensors").orElseThrow();
        assertThat(tensors).hasSize(report.tensors().size());
        Map<String, Object> first = Json.asObject(tensors.stream().map(Json::asObject)
                .filter(t -> t.get("name").equals(Q + ".weight")).findFirst().orElseThrow());
        assertThat(first).containsEntry("action", "quantized").containsEntry("format", "NVFP4")
                .containsEntry("bytes_before", new Json.RawNumber(String.valueOf(64 * 64 * 4)))
                .containsEntry("bytes_after", new Json.RawNumber(String.valueOf(64 * 32 + 64 * 4 + 4)))
                .containsKeys("sqnr_db", "max_abs_error", "tensor_scale", "outputs");
    }
}
