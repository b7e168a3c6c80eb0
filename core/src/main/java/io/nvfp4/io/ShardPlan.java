package io.nvfp4.io;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * How tensors are split into the files of an output folder, as huggingface_hub's
 * {@code split_state_dict_into_shards_factory} does: tensors in the given order fill a shard until
 * the next would take it past the maximum size; a tensor larger than the maximum gets a shard of its
 * own. One shard is {@code model.safetensors}; several are {@code model-00001-of-0000N.safetensors}
 * with a {@code model.safetensors.index.json} that maps every tensor to its shard.
 *
 * <p>Tensors come in groups that stay together (a quantized weight and its scales), so that a
 * reader finds a weight's parts in one file.
 */
public final class ShardPlan {
    /**
     * One output file.
     *
     * @param fileName the file name
     * @param tensors  its tensors, in the order given
     * @param byteSize bytes of tensor data
     */
    public record Shard(String fileName, List<TensorSpec> tensors, long byteSize) {
        /** Copies the tensor list. */
        public Shard {
            tensors = List.copyOf(tensors);
        }
    }

    private final List<Shard> shards;

    private ShardPlan(List<Shard> shards) {
        this.shards = List.copyOf(shards);
    }

    /**
     * Plans the shards.
     *
     * @param groups       tensor groups in state-dict order; a group is never split
     * @param maxShardSize the most bytes of tensor data a shard should hold (a larger group gets its own)
     * @throws IllegalArgumentException if the size is not positive or a name repeats
     */
    public static ShardPlan of(List<List<TensorSpec>> groups, long maxShardSize) {
        if (maxShardSize < 1) {
            throw new IllegalArgumentException("the maximum shard size must be positive, got " + maxShardSize);
        }
        List<List<TensorSpec>> parts = new ArrayList<>();
        List<Long> sizes = new ArrayList<>();
        List<TensorSpec> current = new ArrayList<>();
        long currentSize = 0;
        Set<String> names = new HashSet<>();
        for (List<TensorSpec> group : groups) {
            long size = 0;
            for (TensorSpec t : group) {
                if (!names.add(t.name())) {
                    throw new IllegalArgumentException("two tensors are called '" + t.name() + "'");
                }
                size += t.byteSize();
            }
            if (!current.isEmpty() && currentSize + size > maxShardSize) {
                parts.add(current);
                sizes.add(currentSize);
                current = new ArrayList<>();
                currentSize = 0;
            }
            current.addAll(group);
            currentSize += size;
        }
        if (!current.isEmpty() || parts.isEmpty()) {
            parts.add(current);
            sizes.add(currentSize);
        }
        List<Shard> shards = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String name = parts.size() == 1 ? ModelFolder.SINGLE_FILE : shardName(i + 1, parts.size());
            shards.add(new Shard(name, parts.get(i), sizes.get(i)));
        }
        return new ShardPlan(shards);
    }

    /** {@code model-00001-of-00003.safetensors} for shard 1 of 3 (1-based, five digits). */
    public static String shardName(int shard, int count) {
        return String.format("model-%05d-of-%05d.safetensors", shard, count);
    }

    /** The shards, in order. */
    public List<Shard> shards() {
        return shards;
    }

    /** Whether there is more than one shard (and so an index). */
    public boolean isSharded() {
        return shards.size() > 1;
    }

    /** Bytes of tensor data over all shards: the index's {@code metadata.total_size}. */
    public long totalSize() {
        return shards.stream().mapToLong(Shard::byteSize).sum();
    }

    /** Tensor name to shard file name, in tensor order. */
    public Map<String, String> weightMap() {
        Map<String, String> map = new LinkedHashMap<>();
        for (Shard s : shards) {
            for (TensorSpec t : s.tensors()) {
                map.put(t.name(), s.fileName());
            }
        }
        return map;
    }

    /**
     * Writes {@code model.safetensors.index.json} into {@code folder} atomically, as transformers
     * writes it ({@code json.dumps(index, indent=2, sort_keys=True)}).
     */
    public void writeIndex(Path folder) throws IOException {
        Map<String, Object> metadata = new LinkedHashMap<>();
        metadata.put("total_size", totalSize());
        Map<String, Object> index = new LinkedHashMap<>();
        index.put("metadata", metadata);
        index.put("weight_map", new TreeMap<>(weightMap()));
        Json.write(folder.resolve(ModelFolder.INDEX), index, Json.Style.INDENT_2);
    }
}
