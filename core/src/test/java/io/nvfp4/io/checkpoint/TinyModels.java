package io.nvfp4.io.checkpoint;

import io.nvfp4.io.Json;
import io.nvfp4.io.ModelBuilder;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.io.TensorInfo;
import io.nvfp4.tensor.DType;

import java.io.IOException;
import java.lang.foreign.ValueLayout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;
import java.util.stream.Stream;

/** Small model folders for the checkpoint tests. */
final class TinyModels {
    static final int HIDDEN = 64;
    static final int INTERMEDIATE = 128;
    static final int VOCAB = 96;

    private TinyModels() {}

    /**
     * A two-layer Llama-style model of {@code type}: embeddings, attention q/k/v/o, MLP gate/up/down,
     * norms, lm_head; config.json, tokenizer files, a sub-folder and a .bin file beside it.
     */
    static ModelBuilder llama(Path folder, DType type) {
        ModelBuilder b = new ModelBuilder(folder).config(ModelBuilder.llamaConfig());
        long seed = 1;
        b.gaussian("model.embed_tokens.weight", type, seed++, 1, VOCAB, HIDDEN);
        for (int layer = 0; layer < 2; layer++) {
            String p = "model.layers." + layer + ".";
            b.gaussian(p + "input_layernorm.weight", type, seed++, 1, HIDDEN);
            b.gaussian(p + "self_attn.q_proj.weight", type, seed++, 0.05, HIDDEN, HIDDEN);
            b.gaussian(p + "self_attn.k_proj.weight", type, seed++, 0.08, HIDDEN / 2, HIDDEN);
            b.gaussian(p + "self_attn.v_proj.weight", type, seed++, 0.02, HIDDEN / 2, HIDDEN);
            b.gaussian(p + "self_attn.o_proj.weight", type, seed++, 0.05, HIDDEN, HIDDEN);
            b.gaussian(p + "mlp.gate_proj.weight", type, seed++, 0.03, INTERMEDIATE, HIDDEN);
            b.gaussian(p + "mlp.up_proj.weight", type, seed++, 0.04, INTERMEDIATE, HIDDEN);
            b.gaussian(p + "mlp.down_proj.weight", type, seed++, 0.03, HIDDEN, INTERMEDIATE);
            b.gaussian(p + "post_attention_layernorm.weight", type, seed++, 1, HIDDEN);
        }
        b.gaussian("model.norm.weight", type, seed++, 1, HIDDEN);
        b.gaussian("lm_head.weight", type, seed, 0.05, VOCAB, HIDDEN);
        b.file("tokenizer.json", "{\"version\":\"1.0\"}");
        b.file("generation_config.json", "{\"do_sample\":true}");
        b.file("pytorch_model.bin", "not copied");
        return b;
    }

    /** {@link #llama} written as one file, with an {@code original/} sub-folder. */
    static Path llamaFolder(Path folder, DType type) throws IOException {
        Path p = llama(folder, type).write();
        Files.createDirectories(p.resolve("original"));
        Files.writeString(p.resolve("original/params.json"), "{}");
        return p;
    }

    /**
     * A copy of {@code source}'s tensors and files into {@code target}, each tensor's bytes passed
     * through {@code transform} (null drops the tensor), config.json through {@code config}.
     */
    static Path rewrite(Path source, Path target, BiFunction<TensorInfo, byte[], byte[]> transform,
                        java.util.function.UnaryOperator<Map<String, Object>> config) throws IOException {
        ModelBuilder b = new ModelBuilder(target);
        try (ModelFolder m = ModelFolder.open(source)) {
            for (String name : m.names()) {
                TensorInfo t = m.info(name);
                byte[] bytes = transform.apply(t, m.tensor(name).data().toArray(ValueLayout.JAVA_BYTE));
                if (bytes != null) {
                    b.bytes(name, t.dtype(), t.shape(), bytes);
                }
            }
            m.config().ifPresent(c -> b.config(config.apply(new LinkedHashMap<>(c))));
        }
        Path out = b.write();
        try (Stream<Path> files = Files.list(source)) {
            for (Path f : files.toList()) {
                String name = f.getFileName().toString();
                if (Files.isRegularFile(f) && !name.endsWith(".safetensors") && !name.equals(ModelFolder.INDEX)
                        && !name.equals(ModelFolder.CONFIG)) {
                    Files.copy(f, out.resolve(name));
                }
            }
        }
        return out;
    }

    /** The quantization_config of a folder's config.json. */
    static Map<String, Object> quantizationConfig(Path folder) throws IOException {
        return Json.object(Json.parseObject(folder.resolve("config.json")), "quantization_config").orElseThrow();
    }

    /** A tensor of type U8 or F32 from a folder, as bytes. */
    static byte[] bytes(Path folder, String name) throws IOException {
        try (ModelFolder m = ModelFolder.open(folder)) {
            return m.tensor(name).data().toArray(ValueLayout.JAVA_BYTE);
        }
    }

    /** A tensor's header entry. */
    static TensorInfo info(Path folder, String name) throws IOException {
        try (ModelFolder m = ModelFolder.open(folder)) {
            return m.info(name);
        }
    }

    /** A tensor's dtype and shape, as "U8[64, 32]". */
    static String describe(Path folder, String name) throws IOException {
        TensorInfo t = info(folder, name);
        return t.dtype() + java.util.Arrays.toString(t.shape());
    }

    static SafetensorsDType dtype(Path folder, String name) throws IOException {
        return info(folder, name).dtype();
    }
}
