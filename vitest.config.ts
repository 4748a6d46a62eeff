import vue from '@vitejs/plugin-vue';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    passWithNoTests: true,
    projects: [
      {
        test: {
          name: 'node',
          environment: 'node',
          include: ['test/unit/**/*.test.ts', 'test/integration/**/*.test.ts'],
          testTimeout: 120_000,
          hookTimeout: 300_000,
          globalSetup: ['test/setup/global.ts'],
          pool: 'forks',
          // Type tests (*.test-d.ts) run here: the root-level typecheck block does not reach projects. vue-tsc, not
          // tsc, because the test project also holds the renderer's component tests, which import .vue files.
          typecheck: {
            enabled: true,
            checker: 'vue-tsc',
            include: ['test/**/*.test-d.ts'],
            tsconfig: 'test/tsconfig.typetests.json',
          },
        },
      },
      {
        plugins: [vue()],
        test: {
          name: 'renderer',
          environment: 'happy-dom',
          include: ['test/renderer/**/*.test.ts'],
        },
      },
    ],
  },
});
