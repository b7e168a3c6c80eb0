package io.nvfp4.io.checkpoint;

import io.nvfp4.io.ModelFolder;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/** Reads a folder's checkpoint facts in one call, for assertions. */
final class QuantizedCheckpointFacts {
    private QuantizedCheckpointFacts() {}

    static List<String> problemsOf(Path folder) throws IOException {
        try (ModelFolder m = ModelFolder.open(folder)) {
            return QuantizedCheckpoint.of(m).problems();
        }
    }

    static QuantizedCheckpoint read(ModelFolder m) throws IOException {
        return QuantizedCheckpoint.of(m);
    }
}
