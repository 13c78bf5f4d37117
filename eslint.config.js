// eslint (flat config) for the browser code under static/: no build step, the files are served
// as written, so what is linted is what runs. One dialect: ES2022, const/let, strict mode.
import js from "@eslint/js";
import globals from "globals";

const rules = {
  ...js.configs.recommended.rules,
  "no-var": "error",
  "prefer-const": "error",
  "no-implicit-globals": "error",
  "no-empty": ["error", { allowEmptyCatch: true }],
  "no-unused-vars": ["error", { args: "none", caughtErrors: "none" }],
};

export default [
  {
    files: ["static/**/*.js"],
    languageOptions: {
      ecmaVersion: 2022,
      sourceType: "module",
      globals: globals.browser,
    },
    rules,
  },
  {
    // The loader runs on customers' pages, pasted or loaded as a classic script: no module
    // syntax there, and strict mode by its own "use strict".
    files: ["static/widget/loader.js"],
    languageOptions: { sourceType: "script" },
    rules: { strict: ["error", "function"] },
  },
];
