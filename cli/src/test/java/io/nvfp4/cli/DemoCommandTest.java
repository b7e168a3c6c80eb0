package io.nvfp4.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DemoCommandTest {
    @TempDir
    Path dir;

    @Test
    void jsonHasOneObjectPerModeWithTheDocumentedFields() {
        CliRun run = CliRun.of("demo", "--modes", "fp32", "--json", "--min-seconds", "0", "--batch1-sentences", "1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        List<String> lines = run.out().lines().toList();
        assertThat(lines).hasSize(2);
        assertThat(lines.get(0)).startsWith("{\"mode\":\"ort-fp32\",\"weight_bytes\":42467328,\"mean_cosine\":1.0,"
                + "\"min_cosine\":1.0,\"top1_agreement\":1.0,\"top5_agreement\":1.0,\"sentences_per_s\":");
        assertThat(lines.get(1)).startsWith("{\"mode\":\"fp32\",\"weight_bytes\":42467328,\"mean_cosine\":")
                .contains("\"top1_agreement\":1.0,\"top5_agreement\":1.0,\"sentences_per_s\":",
                        "\"sentences_per_s_batch1\":", "\"sentences_per_s_batch32\":", "\"description\":\"fp32 weights");
        double mean = Double.parseDouble(lines.get(1).replaceAll(".*\"mean_cosine\":([0-9.E-]+),.*", "$1"));
        assertThat(mean).isGreaterThan(1 - 1e-7);
        assertThat(run.err()).contains("demo: running ort-fp32", "demo: running fp32");
    }

    @Test
    void theTableHasAHeaderARowPerModeAndTheirDescriptions() {
        CliRun run = CliRun.of("demo", "--modes", "fp32", "--min-seconds", "0", "--batch1-sentences", "1");

        assertThat(run.exitCode()).as(run.err()).isZero();
        assertThat(run.out()).contains("demo: all-MiniLM-L6-v2 on 60 built-in sentences", "reference: ONNX Runtime 1.",
                "mode                   weight bytes  mean cos   min cos  top-1  top-5  sent/s b1 sent/s b32");
        String fp32 = run.out().lines().filter(l -> l.startsWith("fp32 ")).findFirst().orElseThrow();
        assertThat(fp32.trim().split(" +")).hasSize(8).contains("42,467,328", "1.000000", "1.000");
    }

    @Test
    void helpDefinesTheColumns() {
        CliRun run = CliRun.of("demo", "--help");

        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("top-1", "nearest other sentence", "top-5", "|A and B| / 5", "sent/s b32",
                "--modes", "--json");
    }

    @Test
    void aMissingModelFileIsOneLineAndExitCodeOne() throws IOException {
        Path tokenizer = Files.writeString(dir.resolve("tokenizer.json"), "{}");

        CliRun run = CliRun.of("demo", "--model", dir.resolve("absent.onnx").toString(), "--tokenizer", tokenizer.toString());

        assertThat(run.exitCode()).isEqualTo(1);
        assertThat(run.err().lines()).singleElement().asString()
                .isEqualTo("nvfp4 demo: no such file or folder: " + dir.resolve("absent.onnx"));
    }

    @Test
    void aCorruptModelOrAnUnknownTokenizerIsOneLineAndExitCodeOne() throws IOException {
        Path corrupt = Files.write(dir.resolve("corrupt.onnx"), new byte[] {0x3A, 0x7F, 0x01, 0x02});
        Path model = Files.write(dir.resolve("model.onnx"), resource("all-minilm-l6-v2.onnx"));
        Path tokenizer = Files.write(dir.resolve("tokenizer.json"), resource("all-minilm-l6-v2-tokenizer.json"));
        Path bpe = Files.writeString(dir.resolve("bpe.json"), "{\"model\": {\"type\": \"BPE\", \"vocab\": {}}}");

        CliRun corruptRun = CliRun.of("demo", "--model", corrupt.toString(), "--tokenizer", tokenizer.toString());
        CliRun bpeRun = CliRun.of("demo", "--model", model.toString(), "--tokenizer", bpe.toString());

        assertThat(corruptRun.exitCode()).isEqualTo(1);
        assertThat(corruptRun.err().lines()).singleElement().asString()
                .startsWith("nvfp4 demo: " + corrupt + ": ").contains("runs past the end");
        assertThat(bpeRun.exitCode()).isEqualTo(1);
        assertThat(bpeRun.err().lines()).singleElement().asString()
                .isEqualTo("nvfp4 demo: tokenizer file " + bpe + ": model type is 'BPE'; this tokenizer implements"
                        + " WordPiece (BERT) only");
    }

    @Test
    void badOptionsAreUsageErrors() {
        assertThat(CliRun.of("demo", "--modes", "int4").err()).contains("unknown mode 'int4'; the modes are ort-fp32, fp32,");
        assertThat(CliRun.of("demo", "--modes", "int4").exitCode()).isEqualTo(2);
        assertThat(CliRun.of("demo", "--model", "m.onnx").err()).contains("--model and --tokenizer go together");
        assertThat(CliRun.of("demo", "--model", "m.onnx", "--tokenizer", "t.json", "--modes", "ort-int8").err())
                .contains("mode ort-int8 needs --int8-model when --model is given");
        assertThat(CliRun.of("demo", "--batch1-sentences", "0").exitCode()).isEqualTo(2);
    }

    private static byte[] resource(String name) throws IOException {
        try (InputStream in = DemoCommandTest.class.getClassLoader().getResourceAsStream(name)) {
            assertThat(in).as("resource %s on the test class path", name).isNotNull();
            return in.readAllBytes();
        }
    }
}
