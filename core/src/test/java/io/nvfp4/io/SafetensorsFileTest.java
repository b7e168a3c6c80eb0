package io.nvfp4.io;

import io.nvfp4.tensor.DType;
import io.nvfp4.tensor.FloatMatrix;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Reading valid files, and the writer's layout. */
class SafetensorsFileTest {
    @TempDir
    Path dir;

    @Test
    void readsAFileAsThePythonLibraryWritesIt() throws IOException {
        // safetensors.torch.save_file({"a": torch.tensor([1.0, 2.0]), "b": torch.tensor([[3]], dtype=torch.int16)},
        // metadata={"format": "pt"}): compact JSON, F32 before I16, padded with spaces to 8 bytes.
        String header = "{\"__metadata__\":{\"format\":\"pt\"},\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]},"
                + "\"b\":{\"dtype\":\"I16\",\"shape\":[1,1],\"data_offsets\":[8,10]}}";
        String padded = header + " ".repeat((8 - header.length() % 8) % 8);
        ByteBuffer data = ByteBuffer.allocate(10).order(ByteOrder.LITTLE_ENDIAN).putFloat(1f).putFloat(2f).putShort((short) 3);
        Path file = RawFiles.write(dir, "m.safetensors", RawFiles.file(padded, data.array()));

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.header().metadata()).containsExactly(Map.entry("format", "pt"));
            assertThat(f.header().names()).containsExactly("a", "b");
            assertThat(f.header().dataOffset()).isEqualTo(8 + padded.length());
            Tensor a = f.tensor("a");
            assertThat(a.dtype()).isEqualTo(SafetensorsDType.F32);
            assertThat(a.shape()).containsExactly(2);
            assertThat(a.matrix().get(0, 1)).isEqualTo(2f);
            assertThat(f.tensor("b").data().get(ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0))
                    .isEqualTo((short) 3);
        }
        // The writer produces exactly these bytes for the same tensors.
        Path written = dir.resolve("w.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(written, List.of(
                new TensorSpec("b", SafetensorsDType.I16, new long[] {1, 1}),
                new TensorSpec("a", SafetensorsDType.F32, new long[] {2})), Map.of("format", "pt"))) {
            w.write("a", MemorySegment.ofArray(java.util.Arrays.copyOfRange(data.array(), 0, 8)));
            w.write("b", MemorySegment.ofArray(java.util.Arrays.copyOfRange(data.array(), 8, 10)));
            w.commit();
        }
        assertThat(Files.readAllBytes(written)).isEqualTo(Files.readAllBytes(file));
    }

    @Test
    void everyDtypeRoundTripsThroughTheWriter() throws IOException {
        SplittableRandom random = new SplittableRandom(3);
        Map<String, byte[]> data = new LinkedHashMap<>();
        List<TensorSpec> specs = new ArrayList<>();
        for (SafetensorsDType t : SafetensorsDType.values()) {
            long[] shape = {3, 8}; // 24 elements: whole bytes for 4- and 6-bit types too
            TensorSpec s = new TensorSpec("t_" + t.name().toLowerCase(), t, shape);
            byte[] bytes = new byte[Math.toIntExact(s.byteSize())];
            random.nextBytes(bytes);
            specs.add(s);
            data.put(s.name(), bytes);
        }
        specs.add(new TensorSpec("scalar", SafetensorsDType.F32, new long[] {}));
        data.put("scalar", new byte[] {0, 0, (byte) 0x80, 0x3F});
        specs.add(new TensorSpec("empty", SafetensorsDType.BF16, new long[] {0, 7}));
        data.put("empty", new byte[0]);
        Path file = dir.resolve("all.safetensors");
        try (SafetensorsWriter w = SafetensorsWriter.create(file, specs, Map.of())) {
            for (TensorSpec s : specs) {
                w.write(s.name(), MemorySegment.ofArray(data.get(s.name())));
            }
            w.commit();
        }

        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(f.header().metadata()).isEmpty();
            assertThat(f.header().size()).isEqualTo(specs.size());
            for (TensorSpec s : specs) {
                Tensor t = f.tensor(s.name());
                assertThat(t.info().spec()).isEqualTo(s);
                assertThat(t.data().toArray(ValueLayout.JAVA_BYTE)).isEqualTo(data.get(s.name()));
            }
            assertThat(f.tensor("scalar").matrix().get(0, 0)).isEqualTo(1f);
            assertThat(f.tensor("t_f4").info().byteSize()).isEqualTo(12);
            assertThat(f.tensor("t_f6_e2m3").info().byteSize()).isEqualTo(18);
        }
    }

    @Test
    void writerSortsByAlignmentThenNameAndAlignsTheDataBuffer() throws IOException {
        List<TensorSpec> specs = List.of(
                new TensorSpec("z_u8", SafetensorsDType.U8, new long[] {3}),
                new TensorSpec("b_f32", SafetensorsDType.F32, new long[] {5}),
                new TensorSpec("a_f32", SafetensorsDType.F32, new long[] {1}),
                new TensorSpec("m_bf16", SafetensorsDType.BF16, new long[] {3}),
                new TensorSpec("x_f64", SafetensorsDType.F64, new long[] {2}));
        List<TensorInfo> layout = SafetensorsWriter.layout(specs);
        assertThat(layout).extracting(TensorInfo::name).containsExactly("x_f64", "a_f32", "b_f32", "m_bf16", "z_u8");
        for (TensorInfo t : layout) {
            assertThat(t.begin() % (t.dtype().bits() / 8)).as(t.name()).isZero();
        }
        byte[] header = SafetensorsWriter.header(layout, Map.of("format", "pt"));
        assertThat(header.length % 8).isZero();
        String text = new String(header, StandardCharsets.UTF_8);
        assertThat(text).startsWith("{\"__metadata__\":{\"format\":\"pt\"},\"x_f64\":");
        assertThat(text.stripTrailing()).endsWith("}");
        assertThat(text.length() - text.stripTrailing().length()).isLessThan(8);
    }

    @Test
    void tensorsAreZeroCopyViewsOfTheMappingAndDieWithTheFile() throws IOException {
        float[] values = {1.5f, -2f, 3.25f, 0f, 8f, -0.5f};
        Path folder = new ModelBuilder(dir.resolve("m")).floats("w", DType.BF16, new long[] {2, 3}, values).write();
        Tensor t;
        try (SafetensorsFile f = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            t = f.tensor("w");
            assertThat(t.data().isMapped()).isTrue();
            assertThat(t.data().isReadOnly()).isTrue();
            FloatMatrix m = t.matrix();
            assertThat(m.rows()).isEqualTo(2);
            assertThat(m.get(1, 2)).isEqualTo(-0.5f);
            FloatMatrix second = t.rows(1, 1);
            assertThat(second.get(0, 0)).isEqualTo(0f);
            assertThat(second.get(0, 1)).isEqualTo(8f);
        }
        assertThatThrownBy(() -> t.data().get(ValueLayout.JAVA_BYTE, 0)).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void headerOnlyReadMatchesTheMappedHeader() throws IOException {
        Path folder = new ModelBuilder(dir.resolve("m")).gaussian("a", DType.F16, 1, 1, 4, 16)
                .gaussian("b", DType.F32, 2, 1, 16).write();
        Path file = folder.resolve("model.safetensors");
        SafetensorsHeader h = SafetensorsFile.readHeader(file);
        try (SafetensorsFile f = SafetensorsFile.open(file)) {
            assertThat(h.tensors()).isEqualTo(f.header().tensors());
            assertThat(h.fileSize()).isEqualTo(Files.size(file));
            assertThat(h.dataSize()).isEqualTo(4 * 16 * 2 + 16 * 4);
        }
    }

    @Test
    void lenientModeAcceptsWhatTheRustReaderToleratesAndNothingMore() throws IOException {
        String header = "  {\"a\":{\"dtype\":\"U8\",\"shape\":[2],\"data_offsets\":[0,2],\"note\":{\"x\":[1]}}}\n\t";
        Path file = RawFiles.write(dir, "l.safetensors", RawFiles.file(header, new byte[] {7, 9}));

        assertThatThrownBy(() -> SafetensorsFile.open(file)).isInstanceOf(SafetensorsFormatException.class);
        try (SafetensorsFile f = SafetensorsFile.open(file, SafetensorsFile.Mode.LENIENT)) {
            assertThat(f.tensor("a").data().toArray(ValueLayout.JAVA_BYTE)).containsExactly(7, 9);
        }
    }

    @Test
    void floatViewsRefuseOtherDtypes() throws IOException {
        Path folder = new ModelBuilder(dir.resolve("m")).bytes("codes", SafetensorsDType.U8, new long[] {2, 2}, new byte[4])
                .write();
        try (SafetensorsFile f = SafetensorsFile.open(folder.resolve("model.safetensors"))) {
            assertThatThrownBy(() -> f.tensor("codes").matrix()).isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("U8");
            assertThatThrownBy(() -> f.tensor("nope")).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("nope");
        }
    }
}
