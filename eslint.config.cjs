// ESLint flat config for the add-ons' OWL/ES modules (*.esm.js), after the OCA template.
const globals = require("globals");
const jsdoc = require("eslint-plugin-jsdoc");

module.exports = [
    {
        files: ["**/*.esm.js"],
        plugins: {jsdoc},
        languageOptions: {
            ecmaVersion: 2024,
            sourceType: "module",
            globals: {odoo: "readonly", owl: "readonly", luxon: "readonly", ...globals.browser},
        },
        rules: {
            "array-callback-return": "warn",
            complexity: ["warn", 15],
            "dot-notation": "warn",
            eqeqeq: "warn",
            "no-cond-assign": "error",
            "no-const-assign": "error",
            "no-debugger": "error",
            "no-dupe-keys": "error",
            "no-duplicate-imports": "error",
            "no-eval": "error",
            "no-undef": "error",
            "no-unreachable": "error",
            "no-unused-vars": "error",
            "no-use-before-define": "error",
            "prefer-const": "warn",
            "jsdoc/check-tag-names": "warn",
            "jsdoc/check-types": "warn",
        },
    },
];
