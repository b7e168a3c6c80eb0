package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.ModelFolder;
import io.nvfp4.io.SafetensorsDType;
import io.nvfp4.io.TensorInfo;
import io.nvfp4.io.TensorSpec;
import io.nvfp4.quantize.Recipe;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a conversion will do with each source tensor, decided before any byte is written: quantize it
 * (with which recipe, into which output tensors, sharing its tensor scale with which siblings) or copy
 * it, and so which modules the configs must list as excluded.
 */
final class ConversionPlan {
    /** One source tensor's fate: quantized into {@code outputs} with {@code recipe}, or copied (recipe null). */
    record Entry(TensorInfo source, String reason, Recipe recipe, List<TensorSpec> outputs) {
        Entry {
            outputs = List.copyOf(outputs);
        }

        boolean quantize() {
            return recipe != null;
        }
    }

    private final List<Entry> entries;
    private final Map<String, Entry> byOutput = new HashMap<>();
    private final Map<String, String> scaleGroupOf = new HashMap<>();
    private final Map<String, List<String>> scaleGroups = new LinkedHashMap<>();

    private ConversionPlan(List<Entry> entries, Map<String, List<String>> scaleGroups) {
        this.entries = List.copyOf(entries);
        for (Entry e : entries) {
            e.outputs().forEach(o -> byOutput.put(o.name(), e));
        }
        this.scaleGroups.putAll(scaleGroups);
        scaleGroups.forEach((label, members) -> members.forEach(m -> scaleGroupOf.put(m, label)));
    }

    /** Decides every tensor of {@code source}, in source order. */
    static ConversionPlan of(ModelFolder source, ConversionOptions options) {
        TensorSelection selection = new TensorSelection(options.includes(), options.excludes(), options.format());
        List<Entry> entries = new ArrayList<>();
        List<String> quantized = new ArrayList<>();
        for (String name : source.names()) {
            TensorInfo t = source.info(name);
            TensorSelection.Decision d = selection.decide(t);
            if (d.quantize()) {
                Recipe recipe = Converter.recipe(options.layout(), options.format(), t.dtype().floatType().orElseThrow());
                entries.add(new Entry(t, null, recipe, outputs(t, options)));
                quantized.add(name);
            } else {
                entries.add(new Entry(t, d.reason(), null, List.of(t.spec())));
            }
        }
        return new ConversionPlan(entries, options.fuseScales() ? FuseGroups.of(quantized) : Map.of());
    }

    /** The tensors a quantized weight becomes: codes, block scales and (NVFP4) the tensor scale. */
    private static List<TensorSpec> outputs(TensorInfo t, ConversionOptions options) {
        String p = TensorSelection.module(t.name());
        long n = t.dim(0);
        long k = t.dim(1);
        BlockFormat f = options.format();
        long blocks = k / f.blockSize();
        if (options.layout() == CheckpointLayout.MODELOPT) {
            return List.of(new TensorSpec(p + ".weight", SafetensorsDType.U8, new long[] {n, k / 2}),
                    new TensorSpec(p + ".weight_scale", SafetensorsDType.F8_E4M3, new long[] {n, blocks}),
                    new TensorSpec(p + ".weight_scale_2", SafetensorsDType.F32, new long[] {}));
        }
        if (f == BlockFormat.NVFP4) {
            return List.of(new TensorSpec(p + ".weight_packed", SafetensorsDType.U8, new long[] {n, k / 2}),
                    new TensorSpec(p + ".weight_scale", SafetensorsDType.F8_E4M3, new long[] {n, blocks}),
                    new TensorSpec(p + ".weight_global_scale", SafetensorsDType.F32, new long[] {1}));
        }
        return List.of(new TensorSpec(p + ".weight_packed", SafetensorsDType.U8, new long[] {n, k / 2}),
                new TensorSpec(p + ".weight_scale", SafetensorsDType.U8, new long[] {n, blocks}));
    }

    /** Every source tensor's entry, in source order. */
    List<Entry> entries() {
        return entries;
    }

    /** The entry that writes output tensor {@code name}. */
    Entry byOutput(String name) {
        return byOutput.get(name);
    }

    /** The label of the fused group that shares {@code name}'s tensor scale, or null. */
    String scaleGroup(String name) {
        return scaleGroupOf.get(name);
    }

    /** The weights whose amax sets {@code name}'s tensor scale: its group's members, or itself. */
    List<String> scaleSiblings(String name) {
        String group = scaleGroupOf.get(name);
        return group == null ? List.of(name) : scaleGroups.get(group);
    }

    /**
     * The modules the configs must exclude: every module with a tensor of two or more dimensions
     * left dense (engines would otherwise expect quantized parameters for it), plus {@code lm_head},
     * which modelopt always lists (a tied lm_head has no tensor of its own).
     */
    List<String> excludedModules() {
        Set<String> modules = new LinkedHashSet<>();
        Set<String> quantizedModules = new LinkedHashSet<>();
        for (Entry e : entries) {
            if (e.quantize()) {
                quantizedModules.add(TensorSelection.module(e.source().name()));
            } else if (e.source().rank() >= 2) {
                modules.add(TensorSelection.module(e.source().name()));
            }
        }
        if (!quantizedModules.contains("lm_head")) {
            modules.add("lm_head");
        }
        modules.removeAll(quantizedModules);
        return List.copyOf(modules);
    }
}
