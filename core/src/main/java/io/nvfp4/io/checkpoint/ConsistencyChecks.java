package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.Json;
import io.nvfp4.io.TensorInfo;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The inconsistencies between a checkpoint's configs and its tensors that make an engine load it
 * wrongly, found by {@link CheckpointReader} and reported as {@link QuantizedCheckpoint#problems()}
 * (or, when harmless, {@link QuantizedCheckpoint#notes()}).
 */
final class ConsistencyChecks {
    /** Names of embedding modules: not linear layers, so no exclusion list needs to name them. */
    private static final Pattern EMBEDDING = Pattern.compile("(^|\\.)(wte|wpe|[^.]*embed[^.]*)(\\.|$)");

    private ConsistencyChecks() {}

    static void check(CheckpointReader r) {
        if (!r.hasConfig) {
            r.notes.add(r.folder.isFolder() ? "no config.json: engines cannot tell that the weights are quantized"
                    : "a single file: no config.json to say how the weights are quantized");
        } else if (r.quantizationConfig == null) {
            if (r.layout == CheckpointLayout.MODELOPT && r.hfQuantConfig != null) {
                r.notes.add("config.json has no quantization_config; hf_quant_config.json describes the quantization"
                        + " (as in older modelopt exports)");
            } else {
                r.problems.add("config.json has no quantization_config: engines will load the packed weights as dense ones");
            }
        }
        checkGroupSize(r);
        checkActivationScales(r);
        Set<String> quantizedModules = new HashSet<>();
        for (QuantizedWeight w : r.weights) {
            quantizedModules.add(w.module());
            if (ExclusionLists.matches(r.layout, r.ignore, w.module())) {
                r.problems.add("'" + w.module() + "' is quantized but the config excludes it: an engine loads it as a"
                        + " dense layer and finds packed weights and scales it does not expect");
            }
        }
        if (r.layout == CheckpointLayout.GPT_OSS || (r.quantizationConfig == null && r.hfQuantConfig == null)) {
            return; // gpt-oss quantizes experts only, by design; without a config there is no list to check
        }
        Set<String> components = new HashSet<>();
        r.weights.forEach(w -> components.addAll(w.components()));
        for (String name : r.folder.names()) {
            if (components.contains(name) || !name.endsWith(".weight")) {
                continue;
            }
            TensorInfo t = r.folder.info(name);
            String module = TensorSelection.module(name);
            if (t.rank() == 2 && !EMBEDDING.matcher(module).find() && !quantizedModules.contains(module)
                    && !ExclusionLists.matches(r.layout, r.ignore, module)) {
                r.problems.add("'" + module + "' is a dense linear weight but the config does not exclude it: an engine"
                        + " expects it quantized");
            }
        }
    }

    private static void checkGroupSize(CheckpointReader r) {
        List<Long> sizes = new ArrayList<>();
        if (r.hfQuantConfig != null) {
            Json.object(r.hfQuantConfig, "quantization").flatMap(q -> Json.integer(q, "group_size")).ifPresent(sizes::add);
        }
        if (r.quantizationConfig != null) {
            Json.integer(r.quantizationConfig, "group_size").ifPresent(sizes::add);
            Json.object(r.quantizationConfig, "config_groups").ifPresent(groups -> groups.values().forEach(g -> {
                if (g instanceof Map<?, ?> m && m.get("weights") instanceof Map<?, ?> w) {
                    Json.integer(Json.asObject(w), "group_size").ifPresent(sizes::add);
                }
            }));
        }
        for (long size : sizes) {
            if (size != r.format.blockSize()) {
                r.problems.add("the config's group_size " + size + " is not " + r.format + "'s block size " + r.format.blockSize());
            }
        }
    }

    /** A W4A4 config needs activation scales for every quantized layer; a data-free export has none. */
    private static void checkActivationScales(CheckpointReader r) {
        boolean needsInput = false;
        String what = null;
        if (r.layout == CheckpointLayout.MODELOPT && "NVFP4".equals(modeloptAlgo(r))) {
            needsInput = true;
            what = "quant_algo NVFP4 (weights and activations)";
        } else if (r.layout == CheckpointLayout.COMPRESSED_TENSORS && r.format == BlockFormat.NVFP4 && r.quantizationConfig != null) {
            needsInput = Json.object(r.quantizationConfig, "config_groups").map(groups -> groups.values().stream().anyMatch(
                    g -> g instanceof Map<?, ?> m && m.get("input_activations") instanceof Map<?, ?> a
                            && !"local".equals(a.get("dynamic")) && !Boolean.TRUE.equals(a.get("dynamic")))).orElse(false);
            what = "static input_activations";
        }
        if (!needsInput) {
            return;
        }
        String suffix = r.layout == CheckpointLayout.MODELOPT ? ".input_scale" : ".input_global_scale";
        for (QuantizedWeight w : r.weights) {
            if (!r.folder.contains(w.module() + suffix)) {
                r.problems.add("the config says " + what + " but '" + w.module() + "' has no " + suffix.substring(1)
                        + (r.layout == CheckpointLayout.MODELOPT ? " (a weight-only checkpoint is quant_algo W4A16_NVFP4)" : ""));
                return; // one line says it; every layer would repeat it
            }
        }
    }

    private static String modeloptAlgo(CheckpointReader r) {
        String fromHq = r.hfQuantConfig == null ? null
                : Json.object(r.hfQuantConfig, "quantization").flatMap(q -> Json.string(q, "quant_algo")).orElse(null);
        return fromHq != null ? fromHq
                : r.quantizationConfig == null ? null : Json.string(r.quantizationConfig, "quant_algo").orElse(null);
    }
}
