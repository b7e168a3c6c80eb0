package io.nvfp4.io;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.IntStream;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The streaming writer: atomic commit, nothing left behind on failure, pieces from many threads. */
class SafetensorsWriterTest {
    @TempDir
    Path dir;

    private static final List<TensorSpec> SPECS = List.of(
            new TensorSpec("big", SafetensorsDType.F32, new long[] {256, 1024}),
            new TensorSpec("small", SafetensorsDType.U8, new long[] {3}));

    private static byte[] random(int n, long seed) {
        byte[] b = new byte[n];
        new SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private List<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.toList();
        }
    }

    @Test
    void commitRenamesACompleteFileIntoPlace() throws IOException {
        Path target = dir.resolve("model.safetensors");
        byte[] big = random(256 * 1024 * 4, 1);
        try (SafetensorsWriter w = SafetensorsWriter.create(target, SPECS, Map.of("format", "pt"))) {
            assertThat(w.temporaryFile()).exists();
            assertThat(AtomicFiles.isTemporary(w.temporaryFile())).isTrue();
            w.write("small", MemorySegment.ofArray(new byte[] {1, 2, 3}));
            w.write("big", MemorySegment.ofArray(big));
            assertThat(target).doesNotExist();
            w.commit();
        }
        assertThat(files()).containsExactly(target);
        try (SafetensorsFile f = SafetensorsFile.open(target)) {
            assertThat(f.tensor("big").data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(big);
            assertThat(f.header().dataOffset() % 8).isZero();
        }
    }

    @Test
    void aFailureMidStreamLeavesNoFileAtAll() {
        Path target = dir.resolve("model.safetensors");
        assertThatThrownBy(() -> {
            try (SafetensorsWriter w = SafetensorsWriter.create(target, SPECS, Map.of())) {
                w.write("big", 0, MemorySegment.ofArray(new byte[4096]));
                throw new IOException("disk on fire");
            }
        }).hasMessage("disk on fire");
        assertThat(target).doesNotExist();
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void anIncompleteTensorCannotBeCommitted() throws IOException {
        Path target = dir.resolve("model.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(target, SPECS, Map.of())) {
            w.write("small", MemorySegment.ofArray(new byte[3]));
            w.write("big", 0, MemorySegment.ofArray(new byte[1000]));
            assertThatThrownBy(w::commit).isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("'big' has 1000 of its 1048576 bytes");
        }
        assertThat(dir).isEmptyDirectory();
    }

    @Test
    void piecesFromManyThreadsMakeTheSameFile() throws IOException {
        byte[] big = random(256 * 1024 * 4, 2);
        Path whole = dir.resolve("whole.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(whole, SPECS, Map.of())) {
            w.write("big", MemorySegment.ofArray(big));
            w.write("small", MemorySegment.ofArray(new byte[] {4, 5, 6}));
            w.commit();
        }
        Path pieces = dir.resolve("pieces.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(pieces, SPECS, Map.of())) {
            int piece = 4096;
            IntStream.range(0, big.length / piece).parallel().forEach(i -> {
                try {
                    w.write("big", (long) i * piece, MemorySegment.ofArray(big).asSlice((long) i * piece, piece));
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            w.write("small", MemorySegment.ofArray(new byte[] {4, 5, 6}));
            w.commit();
        }
        assertThat(Files.readAllBytes(pieces)).isEqualTo(Files.readAllBytes(whole));
    }

    @Test
    void heapSegmentsOverOtherArraysAreWrittenToo() throws IOException {
        float[] values = new float[256 * 1024];
        for (int i = 0; i < values.length; i++) {
            values[i] = i * 0.5f;
        }
        Path target = dir.resolve("f.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(target, SPECS, Map.of())) {
            w.write("big", MemorySegment.ofArray(values));
            w.write("small", MemorySegment.ofArray(new byte[3]));
            w.commit();
        }
        try (SafetensorsFile f = SafetensorsFile.open(target)) {
            assertThat(f.tensor("big").matrix().get(255, 1023)).isEqualTo(values[values.length - 1]);
        }
    }

    @Test
    void commitReplacesAnExistingFileAtomically() throws IOException {
        Path target = dir.resolve("model.safetensors");
        Files.writeString(target, "old content");
        try (SafetensorsWriter w = SafetensorsWriter.create(target, List.of(SPECS.get(1)), Map.of())) {
            w.write("small", MemorySegment.ofArray(new byte[] {9, 9, 9}));
            assertThat(Files.readString(target)).isEqualTo("old content");
            w.commit();
        }
        assertThat(SafetensorsFile.readHeader(target).names()).containsExactly("small");
    }

    @Test
    void misuseIsRefused() throws IOException {
        Path target = dir.resolve("model.safetensors");
        assertThatThrownBy(() -> SafetensorsWriter.create(target, List.of(SPECS.get(1), SPECS.get(1)), Map.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("small");
        assertThatThrownBy(() -> new TensorSpec("__metadata__", SafetensorsDType.U8, new long[] {1}))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new TensorSpec("odd", SafetensorsDType.F4, new long[] {3}))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("whole bytes");
        try (SafetensorsWriter w = SafetensorsWriter.create(target, SPECS, Map.of())) {
            assertThatThrownBy(() -> w.write("nope", MemorySegment.ofArray(new byte[1])))
                    .isInstanceOf(IllegalArgumentException.class);
            assertThatThrownBy(() -> w.write("small", MemorySegment.ofArray(new byte[4])))
                    .isInstanceOf(IllegalArgumentException.class);
            w.write("small", 0, MemorySegment.ofArray(new byte[2]));
            w.write("small", 2, MemorySegment.ofArray(new byte[1]));
            assertThatThrownBy(() -> w.write("small", 2, MemorySegment.ofArray(new byte[1])))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("more than");
            assertThatThrownBy(() -> w.write("small", 2, MemorySegment.ofArray(new byte[2])))
                    .isInstanceOf(IndexOutOfBoundsException.class);
        }
        assertThat(dir).isEmptyDirectory();
    }
}
