package io.nvfp4.io.checkpoint;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The sibling weights an engine fuses into one GEMM at load time, and that should therefore share one
 * NVFP4 tensor scale: vLLM takes the largest of the siblings' scales and warns that accuracy suffers
 * when they differ (checkpoints spec 2.1; llm-compressor's {@code update_fused_layer_weight_global_scales}
 * makes them equal for the same reason). Groups: attention q/k/v, MLA q_a/kv_a, MLP gate/up, and
 * Mixtral's w1/w3.
 */
final class FuseGroups {
    /** A pattern over module paths; group 1 is the parent module, group 2 the sibling's own name. */
    private record Family(Pattern pattern, String label) {}

    private static final List<Family> FAMILIES = List.of(
            new Family(Pattern.compile("^(.*\\.)?(q_proj|k_proj|v_proj)$"), "{q,k,v}_proj"),
            new Family(Pattern.compile("^(.*\\.)?(q_a_proj|kv_a_proj_with_mqa)$"), "{q_a_proj,kv_a_proj_with_mqa}"),
            new Family(Pattern.compile("^(.*\\.)?(gate_proj|up_proj)$"), "{gate,up}_proj"),
            new Family(Pattern.compile("^(.*\\.)?(w1|w3)$"), "{w1,w3}"));

    private FuseGroups() {}

    /**
     * Groups the quantized weight names that share a scale: group label (such as
     * {@code model.layers.0.self_attn.{q,k,v}_proj}) to member tensor names, in the given order. Only
     * groups of two or more members are returned.
     */
    static Map<String, List<String>> of(Collection<String> quantizedWeights) {
        Map<String, List<String>> groups = new LinkedHashMap<>();
        for (String name : quantizedWeights) {
            String module = TensorSelection.module(name);
            for (Family f : FAMILIES) {
                Matcher m = f.pattern().matcher(module);
                if (m.matches()) {
                    String parent = m.group(1) == null ? "" : m.group(1);
                    groups.computeIfAbsent(parent + f.label(), k -> new ArrayList<>()).add(name);
                    break;
                }
            }
        }
        groups.values().removeIf(members -> members.size() < 2);
        return groups;
    }
}
