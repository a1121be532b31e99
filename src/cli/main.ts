#!/usr/bin/env node
// latentkit command line: `latentkit <command> --help` for each command.
import { Command, CommanderError } from "commander";
import { readFileSync } from "node:fs";
import { CancelledError, LatentkitError } from "../core/errors.js";
import { isSystemError, systemErrorReason } from "../io/fs.js";
const pkg = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as { version: string };

// Each command's module is imported only when that command runs (the start-up of `latentkit pca` does not load
// the neural engine, the text or the graph code); `latentkit --help` loads them all to list them.
const COMMANDS: [string, () => Promise<Command>][] = [
  ["pca", async () => (await import("./pca.js")).pcaCommand()],
  ["svd", async () => (await import("./pca.js")).svdCommand()],
  ["info", async () => (await import("./info.js")).infoCommand()],
  ["tsne", async () => (await import("./maps.js")).tsneCommand()],
  ["umap", async () => (await import("./maps.js")).umapCommand()],
  ["sammon", async () => (await import("./maps.js")).sammonCommand()],
  ["mds", async () => (await import("./maps.js")).mdsCommand()],
  ["lsa", async () => (await import("./text.js")).lsaCommand()],
  ["ppmi-svd", async () => (await import("./text.js")).ppmiSvdCommand()],
  ["word2vec", async () => (await import("./text.js")).word2vecCommand()],
  ["similar", async () => (await import("./text.js")).similarCommand()],
  ["analogy", async () => (await import("./text.js")).analogyCommand()],
  ["embed-text", async () => (await import("./text.js")).embedTextCommand()],
  ["evaluate", async () => (await import("./text.js")).evaluateCommand()],
  ["word-map", async () => (await import("./text.js")).wordMapCommand()],
  ["autoencoder", async () => (await import("./neural.js")).autoencoderCommand()],
  ["vae", async () => (await import("./vae.js")).vaeCommand()],
  ["denoise", async () => (await import("./denoise.js")).denoiseCommand()],
  ["hash", async () => (await import("./hash.js")).hashCommand()],
  ["cnn", async () => (await import("./cnn.js")).cnnCommand()],
  ["netmf", async () => (await import("./graph-eval.js")).netmfCommand()],
  ["node-classify", async () => (await import("./graph-eval.js")).nodeClassifyCommand()],
  ["visualize", async () => (await import("./visualize.js")).visualizeCommand()],
  ["node2vec", async () => (await import("./graph.js")).node2vecCommand()],
  ["deepwalk", async () => (await import("./graph.js")).deepwalkCommand()],
  ["attack", async () => (await import("./attack.js")).attackCommand()],
  ["transfer", async () => (await import("./transfer.js")).transferCommand()],
  ["studio", async () => (await import("./studio.js")).studioCommand()],
];

/** The program with the command named `only` (when it is one), else with every command. */
export async function program(only?: string): Promise<Command> {
  const p = new Command("latentkit")
    .description("representation learning in TypeScript: PCA/SVD, t-SNE/UMAP/Sammon/MDS maps, LSA and word vectors, autoencoders, VAEs and semantic hashing, CNNs, node embeddings")
    .version(pkg.version);
  const chosen = COMMANDS.filter(([name]) => name === only);
  for (const [name, make] of chosen.length ? chosen : COMMANDS) {
    const cmd = await make();
    if (cmd.name() !== name) throw new Error(`internal: command table names ${name} for ${cmd.name()}`);
    p.addCommand(cmd);
  }
  return p;
}

/**
 * Usage errors from the argument parser (unknown command or option, missing argument, a value not among the
 * choices) are one line on stderr and exit code 2, like every other error; --help and --version exit 0.
 */
function conventions(cmd: Command): Command {
  cmd.exitOverride().showHelpAfterError(false).configureOutput({
    outputError: (str, write) => {
      const line = str.replace(/^error: /, "").replace(/\s*\n\s*/g, " ").trim();
      const name = cmd.name() === "latentkit" ? "latentkit" : `latentkit ${cmd.name()}`;
      write(`latentkit: ${line} (see '${name} --help')\n`);
    },
  });
  for (const sub of cmd.commands) conventions(sub);
  return cmd;
}

// Ctrl-C and SIGTERM stop the run: outputs not yet committed are removed by the exit hook of io/fs.ts
process.once("SIGINT", () => {
  process.stderr.write("\nlatentkit: cancelled\n");
  process.exit(130);
});
process.once("SIGTERM", () => {
  process.stderr.write("latentkit: terminated\n");
  process.exit(143);
});
// `latentkit ... | head`: a closed pipe ends the run quietly
process.stdout.on("error", (e: NodeJS.ErrnoException) => {
  if (e.code === "EPIPE") process.exit(0);
  throw e;
});

try {
  await conventions(await program(process.argv[2])).parseAsync(process.argv);
} catch (e) {
  if (e instanceof CommanderError) process.exit(e.exitCode === 0 ? 0 : 2);
  if (e instanceof LatentkitError || e instanceof CancelledError) {
    process.stderr.write(`latentkit: ${e.message}\n`);
    process.exit(2);
  }
  if (isSystemError(e)) {
    // a file-system error that no reader or writer turned into a message of its own
    const path = typeof e.path === "string" ? e.path : "a file";
    process.stderr.write(`latentkit: cannot ${/write|open|rename|mkdir/.test(e.syscall ?? "") ? "write" : "read"} ${path}: ${systemErrorReason(e)}\n`);
    process.exit(2);
  }
  throw e;
}
