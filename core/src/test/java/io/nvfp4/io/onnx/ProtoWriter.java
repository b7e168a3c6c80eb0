package io.nvfp4.io.onnx;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/** Writes protobuf wire format for tests: enough to build small ONNX models field by field. */
final class ProtoWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    ProtoWriter varint(int field, long value) {
        tag(field, 0);
        rawVarint(value);
        return this;
    }

    ProtoWriter bytes(int field, byte[] value) {
        tag(field, 2);
        rawVarint(value.length);
        out.writeBytes(value);
        return this;
    }

    ProtoWriter string(int field, String value) {
        return bytes(field, value.getBytes(StandardCharsets.UTF_8));
    }

    ProtoWriter message(int field, ProtoWriter message) {
        return bytes(field, message.toByteArray());
    }

    ProtoWriter fixed32(int field, int value) {
        tag(field, 5);
        out.writeBytes(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(value).array());
        return this;
    }

    /** Packed repeated varints. */
    ProtoWriter packedVarints(int field, long... values) {
        ProtoWriter inner = new ProtoWriter();
        for (long v : values) {
            inner.rawVarint(v);
        }
        return bytes(field, inner.toByteArray());
    }

    /** Packed repeated floats. */
    ProtoWriter packedFloats(int field, float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return bytes(field, b.array());
    }

    /** Raw bytes, unframed. */
    ProtoWriter raw(byte... b) {
        out.writeBytes(b);
        return this;
    }

    ProtoWriter tag(int field, int wireType) {
        rawVarint((long) field << 3 | wireType);
        return this;
    }

    ProtoWriter rawVarint(long v) {
        while ((v & ~0x7FL) != 0) {
            out.write((int) (v & 0x7F) | 0x80);
            v >>>= 7;
        }
        out.write((int) v);
        return this;
    }

    byte[] toByteArray() {
        return out.toByteArray();
    }

    static byte[] floatsLe(float... values) {
        ByteBuffer b = ByteBuffer.allocate(4 * values.length).order(ByteOrder.LITTLE_ENDIAN);
        for (float v : values) {
            b.putFloat(v);
        }
        return b.array();
    }

    /** A TensorProto with dims, type, name and raw_data. */
    static ProtoWriter rawTensor(String name, int dataType, byte[] raw, long... dims) {
        ProtoWriter t = new ProtoWriter().packedVarints(1, dims).varint(2, dataType).string(8, name);
        return t.bytes(9, raw);
    }

    /** A ModelProto around a graph holding {@code initializers} (and any nodes given). */
    static byte[] model(ProtoWriter... graphFields) {
        ProtoWriter graph = new ProtoWriter().string(2, "test-graph");
        for (ProtoWriter f : graphFields) {
            graph.raw(f.toByteArray());
        }
        return new ProtoWriter().varint(1, 8).string(2, "nvfp4-test").string(3, "1")
                .message(8, new ProtoWriter().string(1, "").varint(2, 17))
                .message(7, graph).toByteArray();
    }

    /** A graph field wrapping an initializer. */
    static ProtoWriter initializer(ProtoWriter tensor) {
        return new ProtoWriter().message(5, tensor);
    }

    /** A graph field wrapping a node. */
    static ProtoWriter node(String op, String[] inputs, String... outputs) {
        ProtoWriter n = new ProtoWriter();
        for (String i : inputs) {
            n.string(1, i);
        }
        for (String o : outputs) {
            n.string(2, o);
        }
        n.string(3, op + "_node").string(4, op);
        return new ProtoWriter().message(1, n);
    }
}
