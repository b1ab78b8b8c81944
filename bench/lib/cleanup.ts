// Everything the benchmark starts is stopped again: on success, on an error, and on Ctrl-C or SIGTERM
// (the control plane's processes are detached into their own process groups and would outlive us).

type Step = () => unknown;

export class Cleanup {
  private readonly steps: { what: string; step: Step }[] = [];
  private running?: Promise<void>;

  /** Steps run last-registered first, each once. */
  add(what: string, step: Step): void {
    this.steps.push({ what, step });
  }

  run(): Promise<void> {
    this.running ??= this.runSteps();
    return this.running;
  }

  /** The first SIGINT or SIGTERM cleans up and exits 130; a second one exits at once. */
  onSignals(): void {
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      process.on(signal, () => {
        if (this.running) process.exit(130);
        console.error(`bench: ${signal}: stopping everything that was started`);
        void this.run().finally(() => process.exit(130));
      });
    }
  }

  private async runSteps(): Promise<void> {
    for (const { what, step } of this.steps.splice(0).reverse()) {
      try {
        await step();
      } catch (error) {
        console.error(`bench: cleanup: ${what}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  }
}
