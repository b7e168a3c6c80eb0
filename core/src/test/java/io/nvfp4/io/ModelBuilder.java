package io.nvfp4.io;

import io.nvfp4.format.BF16;
import io.nvfp4.format.FP16;
import io.nvfp4.tensor.DType;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Builds model folders for tests: tensors from floats or bytes, a config.json, other files, written
 * as one file or as shards with an index (through the library's own writer).
 */
public final class ModelBuilder {
    private static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    private static final ValueLayout.OfShort U16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private record Pending(TensorSpec spec, byte[] data) {}

    private final Path folder;
    private final List<Pending> tensors = new ArrayList<>();
    private final Map<String, byte[]> files = new LinkedHashMap<>();
    private Map<String, Object> config;

    public ModelBuilder(Path folder) {
        this.folder = folder;
    }

    /** A tensor with the given raw bytes. */
    public ModelBuilder bytes(String name, SafetensorsDType dtype, long[] shape, byte[] data) {
        tensors.add(new Pending(new TensorSpec(name, dtype, shape), data));
        return this;
    }

    /** A float tensor of {@code type} holding {@code values} (rounded to the type). */
    public ModelBuilder floats(String name, DType type, long[] shape, float[] values) {
        return bytes(name, SafetensorsDType.of(type), shape, encode(values, type));
    }

    /** A float tensor of standard-normal values times {@code scale}. */
    public ModelBuilder gaussian(String name, DType type, long seed, double scale, long... shape) {
        long n = 1;
        for (long d : shape) {
            n *= d;
        }
        float[] v = gaussian(Math.toIntExact(n), seed);
        for (int i = 0; i < v.length; i++) {
            v[i] *= (float) scale;
        }
        return floats(name, type, shape, v);
    }

    /** config.json. */
    public ModelBuilder config(Map<String, Object> config) {
        this.config = config;
        return this;
    }

    /** Another file of the folder. */
    public ModelBuilder file(String name, String content) {
        files.put(name, content.getBytes(StandardCharsets.UTF_8));
        return this;
    }

    /** Writes everything as one model.safetensors; returns the folder. */
    public Path write() throws IOException {
        return write(Long.MAX_VALUE);
    }

    /** Writes everything, in shards of at most {@code maxShardSize} bytes; returns the folder. */
    public Path write(long maxShardSize) throws IOException {
        Files.createDirectories(folder);
        List<List<TensorSpec>> groups = tensors.stream().map(p -> List.of(p.spec())).toList();
        ShardPlan plan = ShardPlan.of(groups, maxShardSize);
        Map<String, byte[]> data = new LinkedHashMap<>();
        tensors.forEach(p -> data.put(p.spec().name(), p.data()));
        for (ShardPlan.Shard shard : plan.shards()) {
            try (SafetensorsWriter w = SafetensorsWriter.create(folder.resolve(shard.fileName()), shard.tensors(),
                    Map.of("format", "pt"))) {
                for (TensorSpec t : shard.tensors()) {
                    w.write(t.name(), MemorySegment.ofArray(data.get(t.name())));
                }
                w.commit();
            }
        }
        if (plan.isSharded()) {
            plan.writeIndex(folder);
        }
        if (config != null) {
            Json.write(folder.resolve("config.json"), config, Json.Style.INDENT_2);
        }
        for (Map.Entry<String, byte[]> f : files.entrySet()) {
            Files.write(folder.resolve(f.getKey()), f.getValue());
        }
        return folder;
    }

    /** {@code n} seeded standard-normal floats. */
    public static float[] gaussian(int n, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) random.nextGaussian();
        }
        return v;
    }

    /** {@code values} as little-endian bytes of {@code type} (round to nearest even). */
    public static byte[] encode(float[] values, DType type) {
        byte[] out = new byte[values.length * type.byteSize()];
        MemorySegment s = MemorySegment.ofArray(out);
        for (int i = 0; i < values.length; i++) {
            switch (type) {
                case F32 -> s.set(F32_LE, 4L * i, values[i]);
                case BF16 -> s.set(U16_LE, 2L * i, BF16.fromFloat(values[i]));
                case F16 -> s.set(U16_LE, 2L * i, FP16.fromFloat(values[i]));
            }
        }
        return out;
    }

    /** The floats of little-endian {@code type} bytes. */
    public static float[] decode(MemorySegment data, DType type) {
        int n = Math.toIntExact(data.byteSize() / type.byteSize());
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = switch (type) {
                case F32 -> data.get(F32_LE, 4L * i);
                case BF16 -> BF16.toFloat(data.get(U16_LE, 2L * i));
                case F16 -> FP16.toFloat(data.get(U16_LE, 2L * i));
            };
        }
        return v;
    }

    /** A small Llama-style config, keys sorted as transformers writes them. */
    public static Map<String, Object> llamaConfig() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("architectures", List.of("LlamaForCausalLM"));
        c.put("hidden_size", 64);
        c.put("model_type", "llama");
        c.put("rms_norm_eps", new Json.RawNumber("1e-05"));
        c.put("tie_word_embeddings", false);
        c.put("torch_dtype", "bfloat16");
        return c;
    }
}
