package io.nvfp4.io.checkpoint;

import io.nvfp4.format.BlockFormat;
import io.nvfp4.io.TensorInfo;

import java.util.List;
import java.util.regex.Pattern;

/**
 * Which tensors a conversion quantizes.
 *
 * <p>Only the weights of linear layers can be: a tensor named {@code *.weight}, two-dimensional
 * [out, in], F32, BF16 or F16, with {@code in} a multiple of the block size (16 for NVFP4, 32 for
 * MXFP4; the kernels of vLLM and TensorRT-LLM need it). Of those, by default not embeddings,
 * {@code lm_head}, norms, or MoE routers and gates: the layers the reference exporters leave in high
 * precision. {@code --include} patterns, when given, replace the default exclusions: only matching
 * tensors are quantized, and a match overrides a default exclusion. {@code --exclude} patterns win
 * over everything. Patterns search the full tensor name (Python's {@code re.search}); anchor them
 * with {@code ^} and {@code $} to match whole names.
 */
final class TensorSelection {
    /** A decision and, when a tensor is not quantized, why. */
    record Decision(boolean quantize, String reason) {
        static final Decision QUANTIZE = new Decision(true, null);

        static Decision keep(String reason) {
            return new Decision(false, reason);
        }
    }

    /** A default exclusion: a name for reports and the module-path pattern it searches for. */
    private record Rule(String name, Pattern pattern) {}

    private static final String WEIGHT = ".weight";
    // Each pattern matches one dot-separated segment of the module path.
    private static final List<Rule> DEFAULT_EXCLUSIONS = List.of(
            new Rule("embedding", Pattern.compile("(^|\\.)(wte|wpe|[^.]*embed[^.]*)(\\.|$)")),
            new Rule("lm_head", Pattern.compile("(^|\\.)lm_head(\\.|$)")),
            new Rule("norm", Pattern.compile("(^|\\.)([^.]*norm[^.]*|ln|ln_[^.]*)(\\.|$)")),
            new Rule("MoE router/gate", Pattern.compile("(^|\\.)(gate|[^.]*router[^.]*|shared_expert_gate)(\\.|$)")));

    private final List<Pattern> includes;
    private final List<Pattern> excludes;
    private final int blockSize;

    TensorSelection(List<Pattern> includes, List<Pattern> excludes, BlockFormat format) {
        this.includes = List.copyOf(includes);
        this.excludes = List.copyOf(excludes);
        this.blockSize = format.blockSize();
    }

    /** Whether {@code t} is quantized, and if not, why. */
    Decision decide(TensorInfo t) {
        String name = t.name();
        if (!name.endsWith(WEIGHT)) {
            return Decision.keep("not a .weight");
        }
        if (t.rank() != 2) {
            return Decision.keep(t.rank() + "-D (only 2-D linear weights are quantized)");
        }
        if (t.dtype().floatType().isEmpty()) {
            return Decision.keep(t.dtype() + " (only F32, BF16 and F16 are quantized)");
        }
        if (t.dim(0) == 0 || t.dim(1) == 0) {
            return Decision.keep("empty");
        }
        for (Pattern p : excludes) {
            if (p.matcher(name).find()) {
                return Decision.keep("--exclude " + p.pattern());
            }
        }
        if (!includes.isEmpty()) {
            boolean included = includes.stream().anyMatch(p -> p.matcher(name).find());
            if (!included) {
                return Decision.keep("not matched by --include");
            }
        } else {
            String module = module(name);
            for (Rule rule : DEFAULT_EXCLUSIONS) {
                if (rule.pattern().matcher(module).find()) {
                    return Decision.keep(rule.name() + " (excluded by default)");
                }
            }
        }
        if (t.dim(1) % blockSize != 0) {
            return Decision.keep("input size " + t.dim(1) + " is not a multiple of " + blockSize);
        }
        return Decision.QUANTIZE;
    }

    /**
     * The module a parameter belongs to: the name without its {@code .weight} (or other last
     * segment), as engines match exclusion lists against module names.
     */
    static String module(String tensorName) {
        if (tensorName.endsWith(WEIGHT)) {
            return tensorName.substring(0, tensorName.length() - WEIGHT.length());
        }
        int dot = tensorName.lastIndexOf('.');
        return dot < 0 ? tensorName : tensorName.substring(0, dot);
    }
}
