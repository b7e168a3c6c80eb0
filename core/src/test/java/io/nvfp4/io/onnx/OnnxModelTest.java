package io.nvfp4.io.onnx;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;

import static io.nvfp4.io.onnx.ProtoWriter.floatsLe;
import static io.nvfp4.io.onnx.ProtoWriter.initializer;
import static io.nvfp4.io.onnx.ProtoWriter.model;
import static io.nvfp4.io.onnx.ProtoWriter.rawTensor;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

class OnnxModelTest {
    private static final int FLOAT = 1;
    private static final int INT8 = 3;
    private static final int INT64 = 7;
    private static final int FLOAT16 = 10;
    private static final int DOUBLE = 11;
    private static final int INT4 = 22;

    @Test
    void readsRawDataTensorsAndTheModelIdentity() throws IOException {
        byte[] bytes = model(initializer(rawTensor("w", FLOAT, floatsLe(1, 2, 3, 4, 5, 6), 2, 3)));

        OnnxModel m = OnnxModel.parse(bytes, "test.onnx");

        assertThat(m.irVersion()).isEqualTo(8);
        assertThat(m.producer()).isEqualTo("nvfp4-test 1");
        assertThat(m.opsets()).isEqualTo(Map.of("", 17L));
        assertThat(m.graphName()).isEqualTo("test-graph");
        OnnxTensor w = m.requireInitializer("w");
        assertThat(w.dataType()).isEqualTo(OnnxDataType.FLOAT);
        assertThat(w.dims()).containsExactly(2, 3);
        assertThat(w.elementCount()).isEqualTo(6);
        assertThat(w.toFloatArray()).containsExactly(1, 2, 3, 4, 5, 6);
        assertThat(w.asFloatMatrix().get(1, 2)).isEqualTo(6f);
        assertThat(w.data().isReadOnly()).isTrue();
    }

    @Test
    void convertsTypedFieldsPackedOrNotToTheRawLayout() throws IOException {
        ProtoWriter packedFloats = new ProtoWriter().packedVarints(1, 3).varint(2, FLOAT).string(8, "f")
                .packedFloats(4, 0.5f, -1.5f, 2f);
        ProtoWriter unpackedFloats = new ProtoWriter().varint(1, 2).varint(2, FLOAT).string(8, "u")
                .fixed32(4, Float.floatToIntBits(7f)).fixed32(4, Float.floatToIntBits(8f));
        ProtoWriter int8 = new ProtoWriter().packedVarints(1, 3).varint(2, INT8).string(8, "i8")
                .packedVarints(5, -3, 5, 127); // -3 as a 10-byte sign-extended varint, as protobuf writes int32
        ProtoWriter half = new ProtoWriter().packedVarints(1, 1, 2).varint(2, FLOAT16).string(8, "h")
                .packedVarints(5, 0x3C00, 0xC000); // 1.0 and -2.0 as binary16 bit patterns
        ProtoWriter int64 = new ProtoWriter().packedVarints(1, 2).varint(2, INT64).string(8, "i64")
                .packedVarints(7, 1L << 40, -7);
        ByteBuffer doubles = ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putDouble(0.25).putDouble(-3);
        ProtoWriter dbl = new ProtoWriter().packedVarints(1, 2).varint(2, DOUBLE).string(8, "d")
                .bytes(10, doubles.array());
        ProtoWriter scalar = new ProtoWriter().varint(2, FLOAT).string(8, "s").packedFloats(4, 42f);
        ProtoWriter int4 = new ProtoWriter().packedVarints(1, 3).varint(2, INT4).string(8, "i4")
                .packedVarints(5, 0x21, 0x03); // elements 1, 2, 3: two to an entry, first in the low nibble

        OnnxModel m = OnnxModel.parse(model(initializer(packedFloats), initializer(unpackedFloats), initializer(int8),
                initializer(half), initializer(int64), initializer(dbl), initializer(scalar), initializer(int4)), "typed.onnx");

        assertThat(m.requireInitializer("f").toFloatArray()).containsExactly(0.5f, -1.5f, 2f);
        assertThat(m.requireInitializer("u").toFloatArray()).containsExactly(7f, 8f);
        assertThat(m.requireInitializer("i8").toLongArray()).containsExactly(-3, 5, 127);
        assertThat(m.requireInitializer("h").toFloatArray()).containsExactly(1f, -2f);
        assertThat(m.requireInitializer("h").asFloatMatrix().dtype()).hasToString("F16");
        assertThat(m.requireInitializer("i64").toLongArray()).containsExactly(1L << 40, -7);
        assertThat(m.requireInitializer("d").toFloatArray()).containsExactly(0.25f, -3f);
        OnnxTensor s = m.requireInitializer("s");
        assertThat(s.dims()).isEmpty();
        assertThat(s.toFloatArray()).containsExactly(42f);
        OnnxTensor i4 = m.requireInitializer("i4");
        assertThat(i4.data().byteSize()).isEqualTo(2);
        assertThat(i4.data().toArray(java.lang.foreign.ValueLayout.JAVA_BYTE)).containsExactly(0x21, 0x03);
    }

    @Test
    void skipsFieldsItDoesNotKnowAtEveryLevel() throws IOException {
        ProtoWriter tensor = rawTensor("w", FLOAT, floatsLe(1, 2), 2).varint(99, 5).string(100, "future")
                .tag(101, 1).raw(new byte[8]).fixed32(102, 7);
        ProtoWriter graphExtras = new ProtoWriter().varint(98, 1).string(97, "x");
        byte[] bytes = model(initializer(tensor), graphExtras);
        byte[] withModelExtras = concat(new ProtoWriter().string(60, "metadata").varint(61, 3).toByteArray(), bytes);

        OnnxModel m = OnnxModel.parse(withModelExtras, "extras.onnx");

        assertThat(m.requireInitializer("w").toFloatArray()).containsExactly(1f, 2f);
    }

    @Test
    void readsNodesInputsAndOutputs() throws IOException {
        ProtoWriter input = new ProtoWriter().message(11, new ProtoWriter().string(1, "x"));
        ProtoWriter output = new ProtoWriter().message(12, new ProtoWriter().string(1, "y"));
        byte[] bytes = model(initializer(rawTensor("w", FLOAT, floatsLe(1, 2, 3, 4), 2, 2)),
                ProtoWriter.node("MatMul", new String[] {"x", "w"}, "y"), input, output);

        OnnxModel m = OnnxModel.parse(bytes, "nodes.onnx");

        assertThat(m.nodes()).singleElement().satisfies(n -> {
            assertThat(n.opType()).isEqualTo("MatMul");
            assertThat(n.inputs()).containsExactly("x", "w");
            assertThat(n.outputs()).containsExactly("y");
            assertThat(n.domain()).isEmpty();
        });
        assertThat(m.inputs()).containsExactly("x");
        assertThat(m.outputs()).containsExactly("y");
    }

    @Test
    void readsExternalDataRelativeToTheModelFile(@TempDir Path dir) throws IOException {
        byte[] data = concat(new byte[8], floatsLe(1.5f, 2.5f, 3.5f));
        Files.write(dir.resolve("weights.bin"), data);
        Path file = dir.resolve("model.onnx");
        Files.write(file, model(initializer(external("w", "weights.bin", "8", "12", 3))));

        OnnxModel m = OnnxModel.read(file);

        assertThat(m.requireInitializer("w").toFloatArray()).containsExactly(1.5f, 2.5f, 3.5f);
        assertThatThrownBy(() -> OnnxModel.parse(Files.readAllBytes(file), "in memory"))
                .isInstanceOf(OnnxFormatException.class).hasMessageContaining("external file ('weights.bin')");
    }

    @Test
    void rejectsBadExternalData(@TempDir Path dir) throws IOException {
        Files.write(dir.resolve("weights.bin"), floatsLe(1, 2, 3));
        assertExternalError(dir, external("w", "../outside.bin", "0", "12", 3), "leaves the model's folder");
        assertExternalError(dir, external("w", "missing.bin", "0", "12", 3), "does not exist");
        assertExternalError(dir, external("w", "weights.bin", "4", "12", 3), "runs past the end");
        assertExternalError(dir, external("w", "weights.bin", "0", "8", 3), "the shape and type need 12");
        assertExternalError(dir, external("w", "weights.bin", "x", "12", 3), "offset 'x' is not a non-negative integer");
    }

    @Test
    void rejectsTruncationAtEveryByteWithAFormatError() throws IOException {
        byte[] bytes = model(initializer(rawTensor("w", FLOAT, floatsLe(1, 2, 3, 4, 5, 6), 2, 3)),
                ProtoWriter.node("MatMul", new String[] {"x", "w"}, "y"));
        for (int n = 0; n < bytes.length; n++) {
            byte[] cut = Arrays.copyOf(bytes, n);
            assertThatThrownBy(() -> OnnxModel.parse(cut, "cut.onnx")).as("cut at %d of %d", n, bytes.length)
                    .isInstanceOf(OnnxFormatException.class).hasMessageStartingWith("cut.onnx");
        }
    }

    @Test
    void namesTheProblemTheTensorAndTheOffset() {
        assertError(new byte[0], "the file is empty: not an ONNX model");
        assertError("hello, world\n".getBytes(StandardCharsets.UTF_8), "not an ONNX");
        assertError(new ProtoWriter().varint(1, 8).toByteArray(), "no graph (ModelProto field 7)");
        byte[] badVarint = new byte[] {0x08, -1, -1, -1, -1, -1, -1, -1, -1, -1, -1, 0x01};
        assertError(badVarint, "bad varint");
        assertError(new ProtoWriter().tag(7, 2).rawVarint(1000).raw(new byte[10]).toByteArray(),
                "length 1000 runs past the end of its message (10 bytes left)");
        assertError(new ProtoWriter().tag(7, 2).rawVarint(-1).toByteArray(), "runs past the end");
        assertError(new ProtoWriter().varint(7, 3).toByteArray(), "field graph has wire type 0");
        assertError(new byte[] {0x0B}, "protobuf group");

        assertError(model(initializer(rawTensor("w", FLOAT, floatsLe(1, 2, 3, 4, 5), 2, 3))),
                "tensor 'w': raw_data holds 20 bytes; FLOAT [2, 3] needs 24");
        assertError(model(initializer(rawTensor("w", FLOAT, floatsLe(1), -1))), "tensor 'w': negative dimension -1");
        assertError(model(initializer(rawTensor("w", FLOAT, floatsLe(1), 1)), initializer(rawTensor("w", FLOAT, floatsLe(2), 1))),
                "tensor 'w': a second initializer of this name");
        assertError(model(initializer(rawTensor("w", 99, floatsLe(1), 1))), "tensor 'w': data type code 99");
        assertError(model(initializer(rawTensor("w", FLOAT, floatsLe(1), 1).packedFloats(4, 1f))),
                "data in more than one of raw_data, a typed field and external data");
        assertError(model(initializer(new ProtoWriter().varint(1, 3).varint(2, FLOAT).string(8, "w").packedFloats(4, 1f, 2f))),
                "tensor 'w': float_data does not hold exactly 3 FLOAT elements");
        assertError(model(initializer(new ProtoWriter().varint(1, 1).varint(2, INT64).string(8, "w").packedFloats(4, 1f))),
                "tensor 'w': float_data cannot hold a INT64 tensor");
        assertError(model(initializer(new ProtoWriter().varint(1, 2).varint(2, FLOAT).string(8, "w"))),
                "tensor 'w': no data");
        assertError(model(initializer(new ProtoWriter().varint(2, FLOAT).packedFloats(4, 1f))), "initializer #0 has no name");
        // A truncated raw_data inside a tensor whose name was read: the error names it, with the offset.
        byte[] ok = model(initializer(rawTensor("named", FLOAT, floatsLe(1, 2, 3, 4, 5, 6), 6)));
        assertThatThrownBy(() -> OnnxModel.parse(Arrays.copyOf(ok, ok.length - 3), "t.onnx"))
                .isInstanceOf(OnnxFormatException.class)
                .hasMessageMatching("t\\.onnx: .*runs past the end.* \\(at byte \\d+\\)");
    }

    @Test
    void aMissingFileIsNoSuchFile(@TempDir Path dir) {
        assertThatThrownBy(() -> OnnxModel.read(dir.resolve("none.onnx")))
                .isInstanceOf(NoSuchFileException.class).hasMessageContaining("none.onnx");
    }

    private static ProtoWriter external(String name, String location, String offset, String length, long n) {
        return new ProtoWriter().packedVarints(1, n).varint(2, FLOAT).string(8, name)
                .message(13, new ProtoWriter().string(1, "location").string(2, location))
                .message(13, new ProtoWriter().string(1, "offset").string(2, offset))
                .message(13, new ProtoWriter().string(1, "length").string(2, length))
                .varint(14, 1);
    }

    private static void assertExternalError(Path dir, ProtoWriter tensor, String message) throws IOException {
        Path file = dir.resolve("model.onnx");
        Files.write(file, model(initializer(tensor)));
        assertThatThrownBy(() -> OnnxModel.read(file)).isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining(file + ": tensor 'w': ").hasMessageContaining(message);
    }

    private static void assertError(byte[] bytes, String message) {
        assertThatThrownBy(() -> OnnxModel.parse(bytes, "bad.onnx")).isInstanceOf(OnnxFormatException.class)
                .hasMessageContaining(message)
                .hasMessageStartingWith("bad.onnx: ");
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
