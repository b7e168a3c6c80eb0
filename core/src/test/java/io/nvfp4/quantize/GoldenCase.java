package io.nvfp4.quantize;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * One case of {@code shared/testdata/golden} (format described in its README): a sidecar
 * {@code case.json} with params, fp32 scalars (exact bits) and raw little-endian tensors.
 */
record GoldenCase(String name, Path dir, Map<String, Object> params, Map<String, Object> scalars,
                  Map<String, Object> tensors) {

    /** The golden folder: the {@code nvfp4.golden.dir} property (set by the build), else beside the checkout. */
    static Path root() {
        String configured = System.getProperty("nvfp4.golden.dir");
        Path dir = configured != null ? Path.of(configured) : Path.of("..", "..", "shared", "testdata", "golden");
        if (!Files.isRegularFile(dir.resolve("index.json"))) {
            throw new IllegalStateException("golden vectors not found: " + dir.toAbsolutePath().normalize()
                    + "/index.json is missing (set -Dnvfp4.golden.dir or check out shared/ beside the repository)");
        }
        return dir;
    }

    @SuppressWarnings("unchecked")
    static List<GoldenCase> all() {
        Path root = root();
        Map<String, Object> index = (Map<String, Object>) Json.parse(read(root.resolve("index.json")));
        List<Object> names = (List<Object>) index.get("cases");
        if (names == null || names.isEmpty()) {
            throw new IllegalStateException(root + "/index.json lists no cases");
        }
        return names.stream().map(n -> load(root.resolve((String) n))).toList();
    }

    @SuppressWarnings("unchecked")
    static GoldenCase load(Path dir) {
        Map<String, Object> sidecar = (Map<String, Object>) Json.parse(read(dir.resolve("case.json")));
        return new GoldenCase((String) sidecar.get("case"), dir,
                (Map<String, Object>) sidecar.getOrDefault("params", Map.of()),
                (Map<String, Object>) sidecar.getOrDefault("scalars", Map.of()),
                (Map<String, Object>) sidecar.get("tensors"));
    }

    boolean has(String key) {
        return tensors.containsKey(key);
    }

    boolean hasScalar(String key) {
        return scalars.containsKey(key);
    }

    /** A scalar from its exact bit pattern. */
    @SuppressWarnings("unchecked")
    float scalar(String key) {
        Map<String, Object> s = (Map<String, Object>) scalars.get(key);
        if (s == null) {
            throw new IllegalStateException(name + ": no scalar " + key);
        }
        return Float.intBitsToFloat(Integer.parseUnsignedInt(((String) s.get("bits")).substring(2), 16));
    }

    @SuppressWarnings("unchecked")
    long[] shape(String key) {
        Map<String, Object> t = (Map<String, Object>) tensors.get(key);
        if (t == null) {
            throw new IllegalStateException(name + ": no tensor " + key);
        }
        return ((List<Object>) t.get("shape")).stream().mapToLong(o -> ((Double) o).longValue()).toArray();
    }

    @SuppressWarnings("unchecked")
    byte[] bytes(String key) {
        Map<String, Object> t = (Map<String, Object>) tensors.get(key);
        if (t == null) {
            throw new IllegalStateException(name + ": no tensor " + key);
        }
        try {
            byte[] data = Files.readAllBytes(dir.resolve((String) t.get("file")));
            long elements = 1;
            for (long d : shape(key)) {
                elements *= d;
            }
            long width = "float32".equals(t.get("dtype")) ? 4 : 1;
            if (data.length != elements * width) {
                throw new IllegalStateException(name + "/" + key + ": " + data.length + " bytes, shape says "
                        + elements * width);
            }
            return data;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    float[] floats(String key) {
        ByteBuffer buffer = ByteBuffer.wrap(bytes(key)).order(ByteOrder.LITTLE_ENDIAN);
        float[] out = new float[buffer.remaining() / 4];
        buffer.asFloatBuffer().get(out);
        return out;
    }

    /** The params entry as text, or "" when absent. */
    String param(String key) {
        Object v = params.get(key);
        return v == null ? "" : v.toString();
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + file, e);
        }
    }

    @Override
    public String toString() {
        return name;
    }
}
