package io.nvfp4.io.checkpoint;

import java.util.List;
import java.util.regex.Pattern;

/** How each layout's readers match module names against the config's exclusion list. */
final class ExclusionLists {
    private ExclusionLists() {}

    /**
     * Whether an exclusion list matches {@code module}. compressed-tensors: exact names, or
     * {@code re:} regexes matched at the start (Python {@code re.match}). modelopt and gpt-oss: fnmatch
     * wildcards against the module or one of its parents (vLLM's and transformers' readers).
     */
    static boolean matches(CheckpointLayout layout, List<String> ignore, String module) {
        for (String entry : ignore) {
            if (layout == CheckpointLayout.COMPRESSED_TENSORS) {
                if (entry.startsWith("re:") ? Pattern.compile(entry.substring(3)).matcher(module).lookingAt()
                        : entry.equals(module)) {
                    return true;
                }
            } else {
                Pattern glob = glob(entry);
                for (String m = module; m != null; m = parent(m)) {
                    if (glob.matcher(m).matches()) {
                        return true;
                    }
                }
            }
        }
        return false;
    }

    private static String parent(String module) {
        int dot = module.lastIndexOf('.');
        return dot < 0 ? null : module.substring(0, dot);
    }

    /** Python's {@code fnmatch} pattern as a regex: {@code *}, {@code ?}, {@code [seq]}, {@code [!seq]}. */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            int close = c == '[' ? pattern.indexOf(']', i + 2) : -1;
            if (c == '*') {
                regex.append(".*");
            } else if (c == '?') {
                regex.append('.');
            } else if (close > 0) {
                String set = pattern.substring(i + 1, close).replace("\\", "\\\\").replace("[", "\\[");
                regex.append('[').append(set.startsWith("!") ? "^" + set.substring(1) : set).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }
}
