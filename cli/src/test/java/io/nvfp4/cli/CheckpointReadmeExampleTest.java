package io.nvfp4.cli;

import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.checkpoint.CheckpointLayout;
import io.nvfp4.io.checkpoint.ConversionListener;
import io.nvfp4.io.checkpoint.ConversionOptions;
import io.nvfp4.io.checkpoint.ConversionReport;
import io.nvfp4.io.checkpoint.Converter;
import io.nvfp4.io.checkpoint.QuantizedCheckpoint;
import io.nvfp4.io.checkpoint.QuantizedWeight;
import io.nvfp4.io.checkpoint.TensorReport;
import io.nvfp4.quantize.Dequantizer;
import io.nvfp4.tensor.QuantizedMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Keeps the README's checkpoint section true: its Java example is the body below (run here on a
 * small model, and compared with the README text).
 */
class CheckpointReadmeExampleTest {
    private static final Path MODULE = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
    private static final Path README = MODULE.getParent().resolve("README.md");
    private static final Path THIS_FILE = MODULE.resolve("src/test/java/io/nvfp4/cli/CheckpointReadmeExampleTest.java");

    @TempDir
    Path dir;

    @Test
    void libraryExampleRuns() throws IOException {
        Path model = TinyModel.write(dir.resolve("model"), 1L << 40);
        Path out = dir.resolve("out");
        float first;
        // README-BEGIN
        // Convert a dense model folder to compressed-tensors NVFP4, with fused q/k/v and gate/up scales.
        ConversionOptions options = ConversionOptions.defaults()
                .withLayout(CheckpointLayout.COMPRESSED_TENSORS)
                .withFuseScales(true);
        ConversionReport report = Converter.convert(model, out, options, ConversionListener.NONE);
        double worstSqnr = report.tensors().stream().filter(TensorReport::quantized)
                .mapToDouble(t -> t.error().sqnrDb()).min().orElseThrow();

        // Read it back: a quantized weight is a zero-copy view of the mapped file.
        try (ModelFolder folder = ModelFolder.open(out)) {
            QuantizedCheckpoint checkpoint = QuantizedCheckpoint.of(folder);
            QuantizedWeight up = checkpoint.weight("model.layers.0.mlp.up_proj.weight").orElseThrow();
            QuantizedMatrix w = up.matrix(0);
            float[] row = new float[(int) w.columns()];
            Dequantizer.dequantizeRow(w, 0, row);
        // README-END
            first = row[0];
            assertThat(w.rows()).isEqualTo(128);
            assertThat(checkpoint.problems()).isEmpty();
        }
        assertThat(worstSqnr).isGreaterThan(18);
        assertThat(first).isNotNaN();
    }

    @Test
    void readmeShowsTheExampleAsWritten() throws IOException {
        String source = Files.readString(THIS_FILE);
        String body = source.substring(source.indexOf("// README-BEGIN\n") + "// README-BEGIN\n".length(),
                source.indexOf("        // README-END"));
        String example = body.lines().map(l -> l.length() >= 8 ? l.substring(8) : l.strip())
                .collect(Collectors.joining("\n", "", "\n"));
        // the block closes the try that the test keeps open for its assertions
        String closed = example + "}\n";

        Matcher m = Pattern.compile("```java\n(.*?)```", Pattern.DOTALL).matcher(Files.readString(README));
        assertThat(m.results().map(r -> r.group(1)).toList()).anyMatch(block -> block.contains(closed));
    }
}
