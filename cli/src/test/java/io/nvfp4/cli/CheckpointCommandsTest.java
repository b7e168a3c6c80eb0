package io.nvfp4.cli;

import io.nvfp4.io.Json;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** convert, inspect, verify and dequantize from the command line, as a user runs them. */
class CheckpointCommandsTest {
    @TempDir
    Path dir;

    @Test
    void convertPrintsTheTableAndWritesAServableFolder() throws IOException {
        Path in = TinyModel.write(dir.resolve("in"), 1L << 40);
        Path out = dir.resolve("out");
        CliRun run = CliRun.of("convert", in.toString(), out.toString(), "--threads", "2");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out().lines().findFirst().orElseThrow())
                .matches("tensor\\s+shape\\s+format\\s+SQNR dB\\s+max abs err\\s+bytes before\\s+bytes after");
        assertThat(run.out()).containsPattern("model\\.layers\\.0\\.self_attn\\.q_proj\\.weight\\s+\\[64, 64\\]\\s+NVFP4\\s+\\d\\d\\.\\d\\d\\s+\\S+\\s+8192\\s+2308")
                .containsPattern("lm_head\\.weight\\s+\\[96, 64\\]\\s+BF16 \\(copied\\)\\s+-\\s+-\\s+12288\\s+12288")
                .contains("quantized 14 of 19 tensors to NVFP4 (modelopt W4A16_NVFP4); 5 copied unchanged")
                .contains("MB/s of source weights, 2 threads, backend ")
                .contains("wrote " + out + ": model.safetensors, tokenizer.json, hf_quant_config.json, config.json,"
                        + " quantization_report.json");
        // not a terminal: plain log lines on stderr, one per quantized tensor
        assertThat(run.err()).contains("converting 19 tensors, ")
                .containsPattern("\\[\\s*\\d+/19\\] model\\.layers\\.1\\.mlp\\.down_proj\\.weight NVFP4, SQNR \\d+\\.\\d\\d dB")
                .contains("wrote model.safetensors (1 of 1)").doesNotContain("\r");
        assertThat(out.resolve("quantization_report.json")).exists();
    }

    @Test
    void scaleRuleAndRoundingAreReportedAndBadCombinationsAreUsageErrors() throws IOException {
        Path in = TinyModel.write(dir.resolve("in"), 1L << 40);
        CliRun mse = CliRun.of("convert", in.toString(), dir.resolve("mse").toString(), "--scale-rule", "mse");
        assertThat(mse.exitCode()).as(mse.err()).isZero();
        assertThat(mse.out()).contains("method: MODELOPT, scale rule mse-search");
        assertThat(Files.readString(dir.resolve("mse").resolve("quantization_report.json"))).contains("scale rule mse-search");

        CliRun stochastic = CliRun.of("convert", in.toString(), dir.resolve("sr").toString(), "--rounding", "stochastic",
                "--seed", "5");
        assertThat(stochastic.exitCode()).as(stochastic.err()).isZero();
        assertThat(stochastic.out()).contains("stochastic rounding (seed 5)");
        CliRun again = CliRun.of("convert", in.toString(), dir.resolve("sr2").toString(), "--rounding", "stochastic",
                "--seed", "5", "--threads", "1");
        assertThat(again.exitCode()).isZero();
        assertThat(Files.readAllBytes(dir.resolve("sr2").resolve("model.safetensors")))
                .isEqualTo(Files.readAllBytes(dir.resolve("sr").resolve("model.safetensors")));

        CliRun noSeed = CliRun.of("convert", in.toString(), dir.resolve("x").toString(), "--rounding", "stochastic");
        assertThat(noSeed.exitCode()).isEqualTo(2);
        assertThat(noSeed.err()).contains("needs --seed");
        CliRun mx = CliRun.of("convert", in.toString(), dir.resolve("y").toString(), "--format", "mxfp4",
                "--scale-rule", "four-over-six");
        assertThat(mx.exitCode()).isEqualTo(2);
        assertThat(mx.err()).contains("NVFP4 only");
        CliRun both = CliRun.of("convert", in.toString(), dir.resolve("z").toString(), "--scale-rule", "mse",
                "--rounding", "stochastic", "--seed", "1");
        assertThat(both.exitCode()).isEqualTo(2);
        assertThat(both.err()).contains("stochastic");
    }

    @Test
    void convertedFolderInspectsVerifiesAndDequantizes() throws IOException {
        Path in = TinyModel.write(dir.resolve("in"), 30_000);
        Path out = dir.resolve("out");
        assertThat(CliRun.of("convert", in.toString(), out.toString(), "--layout", "compressed-tensors",
                "--max-shard-size", "20kB", "--fuse-scales").exitCode()).isZero();
        assertThat(out.resolve("model.safetensors.index.json")).exists();

        CliRun inspect = CliRun.of("inspect", out.toString());
        assertThat(inspect.exitCode()).as(inspect.err()).isZero();
        assertThat(inspect.out()).contains("layout: compressed-tensors NVFP4 (nvfp4-pack-quantized), 14 quantized weights, 4.5")
                .contains("config: model_type llama, torch_dtype bfloat16, quantization_config.quant_method compressed-tensors")
                .containsPattern("model\\.layers\\.0\\.mlp\\.up_proj\\.weight_packed\\s+U8\\s+\\[128, 32\\]\\s+4096\\s+model-000\\d\\d-of-000\\d\\d\\.safetensors")
                .contains("problems: none found");

        CliRun verify = CliRun.of("verify", in.toString(), out.toString(), "--threads", "2");
        assertThat(verify.exitCode()).as(verify.out() + verify.err()).isZero();
        assertThat(verify.out()).contains("compressed-tensors NVFP4: 14 quantized weights (lowest SQNR ")
                .contains("5 tensors byte-identical").contains("OK: ");

        Path back = dir.resolve("back");
        CliRun dequantize = CliRun.of("dequantize", out.toString(), back.toString(), "--dtype", "f32");
        assertThat(dequantize.exitCode()).as(dequantize.err()).isZero();
        assertThat(dequantize.out()).contains("dequantized 14 compressed-tensors weights to F32; 5 tensors copied unchanged");
        CliRun inspectBack = CliRun.of("inspect", back.toString(), "--json");
        Map<String, Object> json = Json.asObject(Json.parse(inspectBack.out().getBytes(StandardCharsets.UTF_8)));
        assertThat(json).containsEntry("layout", null).containsEntry("folder", true);
        List<Object> tensors = Json.array(json, "tensors").orElseThrow();
        assertThat(tensors).hasSize(19);
    }

    @Test
    void inspectJsonDescribesTheCheckpoint() throws IOException {
        Path in = TinyModel.write(dir.resolve("in"), 1L << 40);
        Path out = dir.resolve("out");
        assertThat(CliRun.of("convert", in.toString(), out.toString(), "--format", "mxfp4").exitCode()).isZero();

        CliRun run = CliRun.of("inspect", out.resolve("model.safetensors").toString(), "--json");
        assertThat(run.exitCode()).as(run.err()).isZero();
        Map<String, Object> json = Json.asObject(Json.parse(run.out().getBytes(StandardCharsets.UTF_8)));
        assertThat(json).containsEntry("layout", "compressed-tensors").containsEntry("format", "MXFP4")
                .containsEntry("quantized_weights", 14L > 0 ? new Json.RawNumber("14") : null).containsEntry("folder", false);
        assertThat(((Json.RawNumber) json.get("bits_per_weight")).doubleValue()).isEqualTo(4.25);
        assertThat(Json.array(json, "notes").orElseThrow()).singleElement().asString().contains("a single file");
    }

    @Test
    void verifyFailsWithExitCode1OnATamperedCheckpoint() throws IOException {
        Path in = TinyModel.write(dir.resolve("in"), 1L << 40);
        Path out = dir.resolve("out");
        assertThat(CliRun.of("convert", in.toString(), out.toString()).exitCode()).isZero();
        Files.writeString(out.resolve("hf_quant_config.json"),
                Files.readString(out.resolve("hf_quant_config.json")).replace("\"lm_head\"", "\"lm_headX\""));

        CliRun run = CliRun.of("verify", in.toString(), out.toString());
        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.out()).contains("problem: hf_quant_config.json exclude_modules");
        assertThat(run.err().lines()).last().asString().startsWith("nvfp4 verify: ").contains("problems found in " + out);
    }

    @Test
    void userErrorsAreOneLineWithTheRightExitCode() throws IOException {
        Path in = TinyModel.write(dir.resolve("in"), 1L << 40);
        Path busy = Files.createDirectories(dir.resolve("busy"));
        Files.writeString(busy.resolve("x"), "x");

        assertOneLine(CliRun.of("convert", in.toString(), busy.toString()), 2, "is not empty; pass --force");
        assertOneLine(CliRun.of("convert", in.toString(), dir.resolve("o1").toString(), "--format", "mxfp6"), 2, "--format");
        assertOneLine(CliRun.of("convert", in.toString(), dir.resolve("o2").toString(), "--format", "mxfp4", "--layout", "modelopt"),
                2, "compressed-tensors layout");
        assertOneLine(CliRun.of("convert", in.toString(), dir.resolve("o3").toString(), "--exclude", "(unclosed"), 2, "not a valid regex");
        assertOneLine(CliRun.of("convert", in.toString(), dir.resolve("o4").toString(), "--max-shard-size", "lots"), 2, "'lots'");
        assertOneLine(CliRun.of("convert", in.toString(), dir.resolve("o5").toString(), "--threads", "0"), 2, "threads");
        assertOneLine(CliRun.of("convert", dir.resolve("missing").toString(), dir.resolve("o6").toString()), 1,
                "no such file or folder: " + dir.resolve("missing"));
        assertOneLine(CliRun.of("dequantize", in.toString(), dir.resolve("o7").toString()), 1, "holds no quantized weights");
        assertOneLine(CliRun.of("dequantize", in.toString(), dir.resolve("o8").toString(), "--dtype", "int4"), 2, "--dtype");

        Files.write(dir.resolve("bad.safetensors"), new byte[] {1, 2, 3});
        assertOneLine(CliRun.of("inspect", dir.resolve("bad.safetensors").toString()), 1, "HEADER_TOO_SMALL");
        assertThat(dir.resolve("o6")).doesNotExist();
    }

    private static void assertOneLine(CliRun run, int exitCode, String message) {
        assertThat(run.exitCode()).as(run.err()).isEqualTo(exitCode);
        assertThat(run.err().lines().filter(l -> !l.isBlank())).as(run.err()).singleElement().asString()
                .startsWith("nvfp4 ").contains(message);
        assertThat(run.err()).doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void sizesParseAsTransformersReadsThem() {
        ByteSize size = new ByteSize();
        assertThat(size.convert("5GB")).isEqualTo(5_000_000_000L);
        assertThat(size.convert("2GiB")).isEqualTo(2L << 30);
        assertThat(size.convert("1.5 MB")).isEqualTo(1_500_000L);
        assertThat(size.convert("500kb")).isEqualTo(500_000L);
        assertThat(size.convert("123")).isEqualTo(123L);
        assertThat(ByteSize.format(14_960_000_000L)).isEqualTo("15.0 GB");
        assertThat(ByteSize.format(172_736)).isEqualTo("173 kB");
        assertThat(ByteSize.format(999)).isEqualTo("999 B");
    }

    @Test
    void theProgressBarRedrawsOneLineOnATerminal() {
        java.io.StringWriter text = new java.io.StringWriter();
        ProgressReporter p = new ProgressReporter(new java.io.PrintWriter(text), true, "converting");
        p.started(2, 2_000_000);
        p.progress(1_000_000);
        p.fileWritten(Path.of("model.safetensors"), 1, 1);
        p.progress(1_000_000);
        p.finish();
        assertThat(text.toString()).contains("\r[============            ]  50%  0/2 tensors  1.00 MB / 2.00 MB")
                .contains("wrote model.safetensors (1 of 1)").contains("100%").endsWith(System.lineSeparator());
    }
}
