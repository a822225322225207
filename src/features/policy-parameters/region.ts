/** Most specific first: street 500103001 -> district 500103 -> the city (500000). Pure. */
export function regionChain(code: string): string[] {
  const chain = [code];
  if (code.length === 9) chain.push(code.slice(0, 6));
  const district = code.slice(0, 6);
  if (district !== `${district.slice(0, 2)}0000`) chain.push(`${district.slice(0, 2)}0000`);
  return [...new Set(chain)];
}
