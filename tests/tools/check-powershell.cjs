// Parses PowerShell files with the tree-sitter-powershell grammar (WebAssembly, run by
// web-tree-sitter) and prints every ERROR or MISSING node as FILE:LINE:COLUMN.
// usage: node check-powershell.cjs TOOLS_DIR FILE...   (TOOLS_DIR holds node_modules)
// Exit 0: every file parses; 1: syntax errors (listed); 2: the grammar could not be loaded.
'use strict';
const fs = require('fs');
const path = require('path');

const tools = process.argv[2];
const files = process.argv.slice(3);

function problems(file, root) {
    const out = [];
    const walk = (node) => {
        if (node.isError || node.isMissing) {
            const at = `${file}:${node.startPosition.row + 1}:${node.startPosition.column + 1}`;
            const what = node.isMissing ? `MISSING ${node.type}` : 'ERROR';
            out.push(`${at}: ${what}: ${JSON.stringify(node.text.slice(0, 80))}`);
        }
        if (node.hasError || node.isMissing)
            for (const child of node.children)
                walk(child);
    };
    walk(root);
    return out;
}

(async () => {
    const from = { paths: [tools] };
    const { Parser, Language } = require(require.resolve('web-tree-sitter', from));
    await Parser.init();
    const grammar = path.join(
        path.dirname(require.resolve('tree-sitter-powershell/package.json', from)),
        'tree-sitter-powershell.wasm');
    const parser = new Parser();
    parser.setLanguage(await Language.load(grammar));
    let found = 0;
    for (const file of files) {
        const tree = parser.parse(fs.readFileSync(file, 'utf8'));
        for (const line of problems(file, tree.rootNode)) {
            console.log(line);
            ++found;
        }
    }
    console.log(`${files.length} file(s) parsed, ${found} syntax error(s)`);
    process.exit(found ? 1 : 0);
})().catch((e) => {
    console.error(`cannot load the PowerShell grammar from ${tools}/node_modules: ${e.message}`);
    process.exit(2);
});
