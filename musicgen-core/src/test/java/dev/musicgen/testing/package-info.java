/**
 * The shared test helpers of every module (musicgen-core's test-jar), and the test tiers.
 *
 * <ul>
 *   <li>{@link dev.musicgen.testing.Fixtures}: the golden fixtures in the repository's {@code fixtures/}: paths,
 *       case.json, its tensors (read and copied out of the safetensors file) and their tolerances.
 *   <li>{@link dev.musicgen.testing.Tensors}: allclose (torch semantics), exact equality, relative L2, and "matches the
 *       fixture" with the tolerance case.json states.
 *   <li>{@link dev.musicgen.testing.TestArrays}: flatten nested arrays, shape fixture tensors into them.
 *   <li>{@link dev.musicgen.testing.TestTensors}: the audio tests' view of a safetensors file, as plain arrays.
 * </ul>
 *
 * Tiers: {@code mvn -B verify} runs every unit and golden test (surefire), including those tagged
 * {@link dev.musicgen.testing.Slow slow} and {@link dev.musicgen.testing.MemorySensitive memory}
 * ({@code -DexcludedGroups=slow,memory} leaves them out for a quick run), then the {@code *IT} classes (failsafe),
 * which need released models ({@link dev.musicgen.testing.RequiresRealModels}, found through
 * {@link dev.musicgen.testing.RealModels} from {@code MUSICGEN_REAL_MODELS}) or a GPU
 * ({@link dev.musicgen.testing.RequiresGpu}) and are skipped, with the reason, where those are absent.
 */
package dev.musicgen.testing;
