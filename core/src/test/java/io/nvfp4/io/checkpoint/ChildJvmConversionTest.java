package io.nvfp4.io.checkpoint;

import io.nvfp4.io.AtomicFiles;
import io.nvfp4.io.ModelBuilder;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.io.SafetensorsFile;
import io.nvfp4.io.SafetensorsWriter;
import io.nvfp4.io.TensorSpec;
import io.nvfp4.tensor.DType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.File;
import java.io.IOException;
import java.io.InputStreamReader;
import java.lang.foreign.MemorySegment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Conversions in a separate JVM: one with a heap several times smaller than the model (memory stays
 * bounded whatever the model's size), and one killed in the middle of writing (no file that looks
 * complete is left).
 */
class ChildJvmConversionTest {
    private static final int LINEARS = 14;
    private static final int ROWS = 2048;
    private static final int COLUMNS = 4096;
    private static final long HEAP_MB = 64;

    @TempDir
    static Path dir;
    private static Path model;
    private static long modelBytes;

    /** ~290 MB of bf16: a 64 MB embedding (copied) and fourteen 16 MB linear weights (quantized). */
    @BeforeAll
    static void writeModel() throws IOException {
        model = Files.createDirectories(dir.resolve("model"));
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("model.embed_tokens.weight", SafetensorsDType.BF16, new long[] {32000, 1024}));
        for (int i = 0; i < LINEARS; i++) {
            specs.add(new TensorSpec("model.layers." + i + ".mlp.up_proj.weight", SafetensorsDType.BF16,
                    new long[] {ROWS, COLUMNS}));
        }
        // two distinct weight tensors, written alternately: generating 100 M gaussians would take longer than converting them
        byte[][] weights = {ModelBuilder.encode(ModelBuilder.gaussian(ROWS * COLUMNS, 1), DType.BF16),
                ModelBuilder.encode(ModelBuilder.gaussian(ROWS * COLUMNS, 2), DType.BF16)};
        byte[] embedding = new byte[32000 * 1024 * 2];
        for (int at = 0, i = 0; at < embedding.length; at += weights[0].length, i++) {
            System.arraycopy(weights[i % 2], 0, embedding, at, Math.min(weights[0].length, embedding.length - at));
        }
        try (SafetensorsWriter w = SafetensorsWriter.create(model.resolve("model.safetensors"), specs, Map.of("format", "pt"))) {
            w.write("model.embed_tokens.weight", MemorySegment.ofArray(embedding));
            for (int i = 0; i < LINEARS; i++) {
                w.write(specs.get(i + 1).name(), MemorySegment.ofArray(weights[i % 2]));
            }
            w.commit();
        }
        Files.writeString(model.resolve("config.json"), "{\"model_type\": \"llama\"}");
        modelBytes = Files.size(model.resolve("model.safetensors"));
    }

    /** {@code java -Xmx<heap> -cp <this test's class path> ConvertInChildJvm in out threads maxShard}. */
    private static ProcessBuilder child(Path out, long maxShardSize) {
        List<String> path = new ArrayList<>();
        Path base = Path.of(System.getProperty("basedir", "")).toAbsolutePath();
        path.add(base.resolve("target/test-classes").toString());
        path.add(base.resolve("target/classes").toString());
        for (String property : List.of("jdk.module.path", "java.class.path")) {
            String value = System.getProperty(property, "");
            for (String entry : value.split(File.pathSeparator)) {
                if (!entry.isBlank() && !path.contains(entry)) {
                    path.add(entry);
                }
            }
        }
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-Xmx" + HEAP_MB + "m", "-XX:+UseSerialGC",
                "-cp", String.join(File.pathSeparator, path), ConvertInChildJvm.class.getName(),
                model.toString(), out.toString(), "2", Long.toString(maxShardSize))
                .redirectErrorStream(true);
    }

    @Test
    void aModelSeveralTimesLargerThanTheHeapConverts() throws Exception {
        Path out = dir.resolve("out");
        Process p = child(out, 100_000_000L).start();
        String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();

        assertThat(p.exitValue()).as(output).isZero();
        assertThat(modelBytes).isGreaterThan(4 * HEAP_MB << 20);
        String[] heap = output.lines().filter(l -> l.startsWith("HEAP ")).findFirst().orElseThrow().split(" ");
        assertThat(Long.parseLong(heap[1])).as("the child's heap limit").isLessThanOrEqualTo(HEAP_MB << 20);
        assertThat(Long.parseLong(heap[2])).as(output).isPositive().isLessThan(HEAP_MB << 20);
        try (ModelFolder m = ModelFolder.open(out)) {
            assertThat(m.files()).hasSize(2);
            assertThat(QuantizedCheckpoint.of(m).weights()).hasSize(LINEARS);
        }
    }

    /** Starts a conversion in 40 MB shards and returns it once the first shard is in place. */
    private static Process convertingSecondShard(Path out) throws IOException {
        Process p = child(out, 40_000_000L).start();
        var lines = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        for (String line = lines.readLine(); line != null; line = lines.readLine()) {
            if (line.startsWith("WROTE ")) {
                break;
            }
        }
        // the next shard's temporary file appears right after
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (temporaryFiles(out).isEmpty() && p.isAlive() && System.nanoTime() < deadline) {
            Thread.onSpinWait();
        }
        assertThat(temporaryFiles(out)).as("a shard being written").isNotEmpty();
        return p;
    }

    private static List<Path> temporaryFiles(Path folder) throws IOException {
        try (Stream<Path> s = Files.list(folder)) {
            return s.filter(AtomicFiles::isTemporary).toList();
        }
    }

    @Test
    void aConversionStoppedBySigtermRemovesItsTemporaryFile() throws Exception {
        Path out = dir.resolve("terminated");
        Process p = convertingSecondShard(out);
        p.destroy(); // SIGTERM: shutdown hooks run
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(temporaryFiles(out)).isEmpty();
        assertThat(out.resolve(ModelFolder.INDEX)).doesNotExist();
    }

    @Test
    void aConversionKilledMidWriteLeavesNoFileThatLooksComplete() throws Exception {
        Path out = dir.resolve("killed");
        Process p = convertingSecondShard(out);
        p.destroyForcibly(); // SIGKILL: nothing runs
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();

        List<Path> left;
        try (Stream<Path> s = Files.list(out)) {
            left = s.toList();
        }
        // complete shards may remain, each valid on its own; partial ones only under hidden temporary names
        for (Path f : left) {
            String name = f.getFileName().toString();
            if (AtomicFiles.isTemporary(f)) {
                continue;
            }
            assertThat(name).matches("model-\\d{5}-of-\\d{5}\\.safetensors");
            try (SafetensorsFile shard = SafetensorsFile.open(f)) {
                assertThat(shard.header().size()).isPositive();
            }
        }
        assertThat(left).extracting(f -> f.getFileName().toString())
                .doesNotContain(ModelFolder.INDEX, "config.json", "hf_quant_config.json", Converter.REPORT_FILE);
        // and the folder does not open as a model
        assertThatThrownBy(() -> ModelFolder.open(out)).isInstanceOf(IOException.class)
                .hasMessageContaining("model.safetensors.index.json").hasMessageContaining("interrupted");
    }
}
