package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;
import io.nvfp4.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** Verification: sound checkpoints pass, and each kind of breakage is caught. */
class VerifierTest {
    private static final String Q = "model.layers.0.self_attn.q_proj";

    @TempDir
    Path dir;

    private Path in;

    private Path convert(String name, ConversionOptions options) throws IOException {
        if (in == null) {
            in = TinyModels.llamaFolder(dir.resolve("in"), DType.BF16);
        }
        Path out = dir.resolve(name);
        Converter.convert(in, out, options.withThreads(2), ConversionListener.NONE);
        return out;
    }

    private VerificationReport verify(Path quantized) throws IOException {
        return Verifier.verify(in, quantized, Verifier.DEFAULT_MIN_SQNR_DB, 2, ConversionListener.NONE);
    }

    @Test
    void everyLayoutWrittenVerifies() throws IOException {
        for (ConversionOptions o : List.of(ConversionOptions.defaults(),
                ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS),
                ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS).withFormat(BlockFormat.MXFP4),
                ConversionOptions.defaults().withFuseScales(true).withMaxShardSize(50_000))) {
            Path out = convert("out-" + o.layout() + "-" + o.format() + "-" + o.fuseScales(), o);
            VerificationReport r = verify(out);
            assertThat(r.problems()).as(out.toString()).isEmpty();
            assertThat(r.ok()).isTrue();
            assertThat(r.weights()).hasSize(14).allSatisfy(w -> assertThat(w.error().sqnrDb()).isGreaterThan(15));
            assertThat(r.copied()).isEqualTo(7);
            assertThat(r.format()).isEqualTo(o.format());
        }
    }

    @Test
    void swappedNibblesFailTheErrorBound() throws IOException {
        Path out = convert("mo", ConversionOptions.defaults());
        Path swapped = TinyModels.rewrite(out, dir.resolve("swapped"), (t, b) -> {
            if (t.name().equals(Q + ".weight")) {
                for (int i = 0; i < b.length; i++) {
                    b[i] = (byte) (((b[i] & 0x0F) << 4) | ((b[i] & 0xF0) >>> 4));
                }
            }
            return b;
        }, c -> c);
        VerificationReport r = verify(swapped);
        assertThat(r.ok()).isFalse();
        assertThat(r.problems()).singleElement().asString().contains("'" + Q + ".weight' has SQNR").contains("below the bound");
    }

    @Test
    void anInvertedGlobalScaleFailsTheErrorBound() throws IOException {
        Path out = convert("ct", ConversionOptions.defaults().withLayout(CheckpointLayout.COMPRESSED_TENSORS));
        ValueLayout.OfFloat f32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        Path inverted = TinyModels.rewrite(out, dir.resolve("inv"), (t, b) -> {
            if (t.name().equals(Q + ".weight_global_scale")) {
                MemorySegment s = MemorySegment.ofArray(b);
                s.set(f32, 0, 1f / s.get(f32, 0)); // modelopt's direction in a compressed-tensors file
            }
            return b;
        }, c -> c);
        assertThat(verify(inverted).problems()).singleElement().asString().contains(Q + ".weight' has SQNR");
    }

    @Test
    void missingExtraAndChangedTensorsAreReported() throws IOException {
        Path out = convert("mo", ConversionOptions.defaults());
        Path broken = TinyModels.rewrite(out, dir.resolve("broken"), (t, b) -> {
            if (t.name().equals("model.norm.weight")) {
                return null;
            }
            if (t.name().equals("lm_head.weight")) {
                b[10] ^= 1;
            }
            return b;
        }, c -> c);
        // one tensor more than the original had
        Path extra = TinyModels.rewrite(broken, dir.resolve("extra"), (t, b) -> b, c -> c);
        io.nvfp4.io.ModelBuilder more = new io.nvfp4.io.ModelBuilder(dir.resolve("more"));
        try (io.nvfp4.io.ModelFolder m = io.nvfp4.io.ModelFolder.open(extra)) {
            for (String name : m.names()) {
                more.bytes(name, m.info(name).dtype(), m.info(name).shape(), m.tensor(name).data().toArray(ValueLayout.JAVA_BYTE));
            }
            more.config(m.config().orElseThrow());
        }
        more.floats("model.extra.bias", DType.F32, new long[] {2}, new float[] {1, 2});
        Path folder = more.write();
        Files.copy(out.resolve("hf_quant_config.json"), folder.resolve("hf_quant_config.json"));

        List<String> problems = verify(folder).problems();
        assertThat(problems).anyMatch(p -> p.equals("'model.norm.weight' is missing from the checkpoint"))
                .anyMatch(p -> p.startsWith("'lm_head.weight' differs from the original at byte 10"))
                .anyMatch(p -> p.startsWith("'model.extra.bias' is in the checkpoint but neither"))
                .hasSize(3);
    }

    @Test
    void configsThatDisagreeWithTheTensorsAreReported() throws IOException {
        Path out = convert("mo", ConversionOptions.defaults().withExcludes(List.of(Pattern.compile("up_proj"))));

        // an excluded linear no longer listed: engines would look for its scales
        Path unlisted = TinyModels.rewrite(out, dir.resolve("unlisted"), (t, b) -> b, c -> {
            Map<String, Object> qc = new LinkedHashMap<>(Json.object(c, "quantization_config").orElseThrow());
            List<Object> ignore = new ArrayList<>(Json.array(qc, "ignore").orElseThrow());
            ignore.remove("model.layers.0.mlp.up_proj");
            qc.put("ignore", ignore);
            return QuantizedCheckpointTest.withQuantization(c, qc);
        });
        Files.delete(unlisted.resolve("hf_quant_config.json"));
        assertThat(verify(unlisted).problems()).singleElement().asString()
                .contains("'model.layers.0.mlp.up_proj' is a dense linear weight but the config does not exclude it");

        // W4A4 label without activation scales, and a compressed-tensors config over modelopt tensors
        Path w4a4 = TinyModels.rewrite(out, dir.resolve("w4a4"), (t, b) -> b, c -> c);
        Files.writeString(w4a4.resolve("hf_quant_config.json"), Files.readString(out.resolve("hf_quant_config.json"))
                .replace("W4A16_NVFP4", "NVFP4"));
        List<String> problems = verify(w4a4).problems();
        assertThat(problems).anyMatch(p -> p.contains("quant_algo 'NVFP4'") && p.contains("differ"))
                .anyMatch(p -> p.contains("says quant_algo NVFP4 (weights and activations) but") && p.contains("input_scale"));

        Path ct = TinyModels.rewrite(out, dir.resolve("ct"), (t, b) -> b, c -> QuantizedCheckpointTest.withQuantization(c,
                Map.of("quant_method", "compressed-tensors", "format", "nvfp4-pack-quantized")));
        assertThat(verify(ct).problems()).anyMatch(p -> p.contains("the config says compressed-tensors but the tensors are in the modelopt layout"));
    }

    @Test
    void gptOssExpertsVerifyAgainstTheirTransposedDenseForm() throws IOException {
        GptOssModel model = new GptOssModel(dir);
        VerificationReport r = Verifier.verify(model.dense, model.quantized, Verifier.DEFAULT_MIN_SQNR_DB, 2, ConversionListener.NONE);
        assertThat(r.problems()).isEmpty();
        assertThat(r.layout()).isEqualTo(CheckpointLayout.GPT_OSS);
        assertThat(r.weights()).singleElement().satisfies(w -> assertThat(w.error().sqnrDb()).isBetween(15.0, 22.0));
    }
}
