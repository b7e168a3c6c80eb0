package io.nvfp4.io;

import io.nvfp4.io.SafetensorsFormatException.Rule;
import io.nvfp4.tensor.DType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Hugging Face folders: single files, shards and their index, and the shard planner. */
class ModelFolderTest {
    @TempDir
    Path dir;

    private static TensorSpec u8(String name, long bytes) {
        return new TensorSpec(name, SafetensorsDType.U8, new long[] {bytes});
    }

    @Test
    void shardsFillGreedilyAndAnOversizedTensorGetsItsOwn() {
        ShardPlan plan = ShardPlan.of(List.of(List.of(u8("a", 40)), List.of(u8("b", 40)), List.of(u8("c", 40)),
                List.of(u8("d", 100), u8("d2", 20)), List.of(u8("e", 10))), 100);

        assertThat(plan.shards()).extracting(ShardPlan.Shard::fileName).containsExactly(
                "model-00001-of-00004.safetensors", "model-00002-of-00004.safetensors",
                "model-00003-of-00004.safetensors", "model-00004-of-00004.safetensors");
        assertThat(plan.shards()).extracting(s -> s.tensors().stream().map(TensorSpec::name).toList())
                .containsExactly(List.of("a", "b"), List.of("c"), List.of("d", "d2"), List.of("e"));
        assertThat(plan.totalSize()).isEqualTo(250);
        assertThat(ShardPlan.of(List.of(List.of(u8("a", 40))), 100).shards().getFirst().fileName())
                .isEqualTo("model.safetensors");
    }

    @Test
    void indexIsWrittenAsTransformersWritesIt() throws IOException {
        ShardPlan plan = ShardPlan.of(List.of(List.of(u8("b", 8)), List.of(u8("a", 8))), 8);
        plan.writeIndex(dir);

        assertThat(Files.readString(dir.resolve(ModelFolder.INDEX))).isEqualTo("""
                {
                  "metadata": {
                    "total_size": 16
                  },
                  "weight_map": {
                    "a": "model-00002-of-00002.safetensors",
                    "b": "model-00001-of-00002.safetensors"
                  }
                }
                """);
    }

    @Test
    void readsAThreeShardFolderThroughItsIndex() throws IOException {
        ModelBuilder b = new ModelBuilder(dir.resolve("m")).config(ModelBuilder.llamaConfig());
        for (int i = 0; i < 6; i++) {
            b.gaussian("layer" + i + ".weight", DType.BF16, i, 1, 16, 32);
        }
        Path folder = b.write(2 * 16 * 32 * 2);

        try (ModelFolder m = ModelFolder.open(folder)) {
            assertThat(m.files()).hasSize(3);
            assertThat(m.names()).containsExactly("layer0.weight", "layer1.weight", "layer2.weight", "layer3.weight",
                    "layer4.weight", "layer5.weight");
            assertThat(m.file("layer3.weight").getFileName().toString()).isEqualTo("model-00002-of-00003.safetensors");
            assertThat(m.totalSize()).isEqualTo(6 * 16 * 32 * 2);
            assertThat(m.tensor("layer5.weight").matrix().rows()).isEqualTo(16);
            assertThat(m.config().orElseThrow()).containsEntry("model_type", "llama");
            assertThat(m.metadata()).containsEntry("format", "pt");
        }
    }

    @Test
    void aSingleFileOrAFolderWithOneFileOpens() throws IOException {
        Path folder = new ModelBuilder(dir.resolve("m")).gaussian("w", DType.F32, 1, 1, 2, 2).write();
        try (ModelFolder m = ModelFolder.open(folder.resolve("model.safetensors"))) {
            assertThat(m.isFolder()).isFalse();
            assertThat(m.config()).isEmpty();
            assertThat(m.names()).containsExactly("w");
        }
        Files.move(folder.resolve("model.safetensors"), folder.resolve("other-name.safetensors"));
        try (ModelFolder m = ModelFolder.open(folder)) {
            assertThat(m.names()).containsExactly("w");
        }
    }

    @Test
    void aConfigThatIsNotJsonIsAnErrorNamingTheFile() throws IOException {
        Path folder = new ModelBuilder(dir.resolve("m")).gaussian("w", DType.F32, 1, 1, 2, 2).write();
        Files.writeString(folder.resolve("config.json"), "{\"model_type\": \"llama\",}");
        try (ModelFolder m = ModelFolder.open(folder)) {
            assertThatThrownBy(m::config).isInstanceOf(IOException.class)
                    .hasMessageContaining(folder.resolve("config.json") + ": invalid JSON");
        }
        Files.writeString(folder.resolve("config.json"), "[1]");
        try (ModelFolder m = ModelFolder.open(folder)) {
            assertThatThrownBy(m::config).hasMessageContaining("expected a JSON object at the top level, found an array");
        }
    }

    @Test
    void shardsWithoutAnIndexAreRefused() throws IOException {
        Path folder = new ModelBuilder(dir.resolve("m")).gaussian("a", DType.F32, 1, 1, 4)
                .gaussian("b", DType.F32, 2, 1, 4).write(16);
        Files.delete(folder.resolve(ModelFolder.INDEX));

        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOf(IOException.class)
                .hasMessageContaining("2 .safetensors files but no model.safetensors.index.json");
        assertThatThrownBy(() -> ModelFolder.open(dir.resolve("absent"))).isInstanceOf(IOException.class);
    }

    @Test
    void aLoneShardOfSeveralIsAnInterruptedCopyNotAModel() throws IOException {
        Path folder = threeShards();
        Files.delete(folder.resolve(ModelFolder.INDEX));
        Files.delete(folder.resolve("model-00002-of-00003.safetensors"));
        Files.delete(folder.resolve("model-00003-of-00003.safetensors"));

        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOf(IOException.class)
                .hasMessageContaining("model-00001-of-00003.safetensors is one shard of 3 but there is no "
                        + "model.safetensors.index.json");
    }

    private Path threeShards() throws IOException {
        return new ModelBuilder(dir.resolve("m")).gaussian("a", DType.F32, 1, 1, 4)
                .gaussian("b", DType.F32, 2, 1, 4).gaussian("c", DType.F32, 3, 1, 4).write(16);
    }

    private static void writeIndex(Path folder, String weightMap) throws IOException {
        Files.writeString(folder.resolve(ModelFolder.INDEX), "{\"metadata\":{\"total_size\":48},\"weight_map\":" + weightMap + "}");
    }

    @Test
    void anIndexThatDisagreesWithItsShardsIsRefused() throws IOException {
        Path folder = threeShards();
        String s1 = "model-00001-of-00003.safetensors";
        String s2 = "model-00002-of-00003.safetensors";
        String s3 = "model-00003-of-00003.safetensors";

        writeIndex(folder, "{\"a\":\"" + s1 + "\",\"b\":\"" + s1 + "\",\"c\":\"" + s3 + "\"}");
        assertIndexError(folder, "b", "does not hold it");
        writeIndex(folder, "{\"a\":\"" + s1 + "\",\"b\":\"" + s3 + "\",\"c\":\"" + s3 + "\"}");
        assertIndexError(folder, "b", "does not hold it");
        writeIndex(folder, "{\"a\":\"" + s1 + "\",\"b\":\"" + s2 + "\",\"c\":\"" + s2 + "\"}");
        assertIndexError(folder, "c", "does not hold it");
        writeIndex(folder, "{\"a\":\"" + s1 + "\",\"b\":\"" + s2 + "\",\"c\":\"../" + s3 + "\"}");
        assertIndexError(folder, "c", "not a file name in this folder");
        writeIndex(folder, "{\"a\":\"" + s1 + "\",\"b\":\"" + s2 + "\",\"c\":\"missing.safetensors\"}");
        assertIndexError(folder, null, "missing.safetensors, which is missing");
        writeIndex(folder, "{\"a\":\"" + s1 + "\",\"a\":\"" + s2 + "\"}");
        assertIndexError(folder, null, "Duplicate");
        writeIndex(folder, "[]");
        assertIndexError(folder, null, "weight_map");
    }

    private static void assertIndexError(Path folder, String tensor, String message) {
        assertThatThrownBy(() -> ModelFolder.open(folder)).isInstanceOfSatisfying(SafetensorsFormatException.class, e -> {
            assertThat(e.rule()).isEqualTo(Rule.INVALID_INDEX);
            assertThat(e.getMessage()).contains(message);
            if (tensor != null) {
                assertThat(e.tensor()).isEqualTo(tensor);
            }
        });
    }

    @Test
    void filesTheIndexDoesNotNameAreIgnoredAsTransformersIgnoresThem() throws IOException {
        // Mistral's repositories ship consolidated.safetensors beside the indexed shards, say.
        Path folder = threeShards();
        writeIndex(folder, "{\"a\":\"model-00001-of-00003.safetensors\",\"c\":\"model-00003-of-00003.safetensors\"}");
        try (ModelFolder m = ModelFolder.open(folder)) {
            assertThat(m.names()).containsExactly("a", "c");
            assertThat(m.files()).hasSize(2);
        }
    }

    @Test
    void aTensorInAShardButNotInTheIndexIsRefused() throws IOException {
        Path folder = new ModelBuilder(dir.resolve("m2")).gaussian("a", DType.F32, 1, 1, 4)
                .gaussian("b", DType.F32, 2, 1, 4).write(32);
        Path shard = folder.resolve("model.safetensors");
        writeIndex(folder, "{\"a\":\"model.safetensors\"}");
        assertThat(shard).exists();
        assertIndexError(folder, "b", "the weight_map does not list it");
    }
}
