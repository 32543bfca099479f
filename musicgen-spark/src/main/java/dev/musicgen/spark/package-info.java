/**
 * MusicGen on Apache Spark: {@link dev.musicgen.spark.MusicGenTransformer}, a Spark ML transformer that generates
 * audio for every row of a DataFrame, and {@link dev.musicgen.spark.GenerateFromCsv}, an example job (one file per
 * row of a CSV, plus a results table). See the README's "Spark" section.
 *
 * <p>Built against Spark 3.5 with Scala 2.12 ({@code provided}): the 3.5 line runs on Java 17, which this SDK needs,
 * and is the most widely deployed line on clusters and managed Spark services; its Apache binary distribution and DJL's own Spark
 * extension ({@code ai.djl.spark:spark_2.12}) use Scala 2.12. Spark 4 needs Java 17 too but only exists for Scala 2.13
 * and would leave out the 3.5 clusters. The module is plain Java on Spark's public Java API; on Java 17 Spark needs
 * its {@code --add-opens} flags (spark-submit adds them itself).
 */
package dev.musicgen.spark;
