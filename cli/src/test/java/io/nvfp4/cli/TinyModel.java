package io.nvfp4.cli;

import io.nvfp4.format.BF16;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.io.SafetensorsWriter;
import io.nvfp4.io.TensorSpec;

import java.io.IOException;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/** A small bf16 Llama-style model folder for the command tests, written with the library's writer. */
final class TinyModel {
    private TinyModel() {}

    static final List<String> LINEAR = List.of("self_attn.q_proj", "self_attn.k_proj", "self_attn.v_proj",
            "self_attn.o_proj", "mlp.gate_proj", "mlp.up_proj", "mlp.down_proj");

    /** Two layers, hidden 64, intermediate 128; config.json and tokenizer.json beside; shards of {@code maxShard} bytes. */
    static Path write(Path folder, long maxShard) throws IOException {
        Files.createDirectories(folder);
        List<TensorSpec> specs = new ArrayList<>();
        specs.add(new TensorSpec("model.embed_tokens.weight", SafetensorsDType.BF16, new long[] {96, 64}));
        for (int l = 0; l < 2; l++) {
            for (String p : LINEAR) {
                long[] shape = switch (p) {
                    case "mlp.gate_proj", "mlp.up_proj" -> new long[] {128, 64};
                    case "mlp.down_proj" -> new long[] {64, 128};
                    default -> new long[] {64, 64};
                };
                specs.add(new TensorSpec("model.layers." + l + "." + p + ".weight", SafetensorsDType.BF16, shape));
            }
            specs.add(new TensorSpec("model.layers." + l + ".input_layernorm.weight", SafetensorsDType.BF16, new long[] {64}));
        }
        specs.add(new TensorSpec("model.norm.weight", SafetensorsDType.BF16, new long[] {64}));
        specs.add(new TensorSpec("lm_head.weight", SafetensorsDType.BF16, new long[] {96, 64}));
        List<List<TensorSpec>> groups = specs.stream().map(List::of).toList();
        io.nvfp4.io.ShardPlan plan = io.nvfp4.io.ShardPlan.of(groups, maxShard);
        SplittableRandom random = new SplittableRandom(7);
        ValueLayout.OfShort u16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        for (io.nvfp4.io.ShardPlan.Shard shard : plan.shards()) {
            try (SafetensorsWriter w = SafetensorsWriter.create(folder.resolve(shard.fileName()), shard.tensors(),
                    Map.of("format", "pt"))) {
                for (TensorSpec t : shard.tensors()) {
                    MemorySegment data = MemorySegment.ofArray(new byte[Math.toIntExact(t.byteSize())]);
                    for (long i = 0; i < t.numel(); i++) {
                        data.set(u16, 2 * i, BF16.fromFloat((float) (random.nextGaussian() * 0.05)));
                    }
                    w.write(t.name(), data);
                }
                w.commit();
            }
        }
        if (plan.isSharded()) {
            plan.writeIndex(folder);
        }
        Files.writeString(folder.resolve("config.json"), "{\n  \"model_type\": \"llama\",\n  \"torch_dtype\": \"bfloat16\"\n}\n");
        Files.writeString(folder.resolve("tokenizer.json"), "{}");
        return folder;
    }
}
