/** Name, school and phone material for the synthetic population. */
import type { Rng } from "./rng.js";

/** Common surnames with rough relative frequencies (national order, with Chongqing's 谭/向/冉/牟/况). */
const SURNAMES: readonly (readonly [string, number])[] = [
  ["李", 7.5], ["王", 7], ["张", 6.5], ["刘", 5.5], ["陈", 5], ["杨", 3.5], ["黄", 2.2], ["赵", 2], ["吴", 2], ["周", 2],
  ["何", 1.5], ["罗", 1.5], ["徐", 1.3], ["胡", 1.3], ["唐", 1.2], ["邓", 1.2], ["孙", 1.1], ["马", 1], ["朱", 1], ["郭", 1],
  ["高", 1], ["谢", 1], ["林", 0.9], ["郑", 0.9], ["彭", 0.9], ["谭", 0.9], ["梁", 0.8], ["曾", 0.8], ["肖", 0.8], ["蒋", 0.8],
  ["余", 0.8], ["宋", 0.7], ["冯", 0.7], ["田", 0.7], ["许", 0.6], ["韩", 0.6], ["曹", 0.6], ["袁", 0.6], ["任", 0.6], ["廖", 0.6],
  ["熊", 0.6], ["向", 0.6], ["董", 0.5], ["蔡", 0.5], ["杜", 0.5], ["潘", 0.4], ["叶", 0.4], ["程", 0.4], ["魏", 0.4], ["丁", 0.4],
  ["卢", 0.4], ["秦", 0.4], ["冉", 0.4], ["文", 0.4], ["付", 0.4], ["雷", 0.4], ["吕", 0.3], ["姚", 0.3], ["龙", 0.3], ["陶", 0.3],
  ["贺", 0.3], ["汪", 0.3], ["钟", 0.3], ["江", 0.3], ["易", 0.3], ["苏", 0.3], ["夏", 0.3], ["傅", 0.3], ["牟", 0.2], ["游", 0.2],
  ["况", 0.1], ["母", 0.1],
];
const SURNAME_ITEMS = SURNAMES.map((s) => s[0]);
const SURNAME_WEIGHTS = SURNAMES.map((s) => s[1]);

const GIVEN = {
  MALE: [
    "国建明德福华文学志忠清平永成富贵昌荣林树云光军兴全友发",
    "伟强军勇杰涛斌波辉刚鹏林峰磊超明亮平东海俊健宏洪兵华",
    "浩宇轩博子梓睿俊杰晨泽铭涵航鑫豪然翔阳一文皓瑞宸锦",
  ],
  FEMALE: [
    "秀英兰珍芳桂玉华淑凤琼素翠菊梅蓉琴玲惠群碧莲淑慧",
    "敏静丽艳娟霞燕红琳萍莉梅丹倩婷雪芳玲洁蓉英娜佳",
    "欣怡佳琪雨萱涵诗梦婷悦思可馨语晴彤妍玥若颖瑶雪宁",
  ],
} as const;

export function surname(rng: Rng): string {
  return rng.weighted(SURNAME_ITEMS, SURNAME_WEIGHTS);
}

/** A 1-2 character given name fitting the sex and the birth year's naming fashion. */
export function givenName(rng: Rng, sex: "MALE" | "FEMALE", birthYear: number): string {
  const era = birthYear < 1965 ? 0 : birthYear < 1995 ? 1 : 2;
  const pool = GIVEN[sex][era];
  const a = pool[rng.int(0, pool.length - 1)];
  if (rng.chance(0.3)) return a;
  let b = pool[rng.int(0, pool.length - 1)];
  if (b === a && !rng.chance(0.15)) b = pool[rng.int(0, pool.length - 1)]; // occasional 叠字 (婷婷)
  return a + b;
}

const PHONE_PREFIXES = ["130", "131", "132", "133", "134", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156", "157", "158", "159", "180", "181", "182", "183", "184", "185", "186", "187", "188", "189", "191", "199"];

/** An 11-digit mainland mobile number starting 13x / 15x / 18x / 19x. */
export function phoneNumber(rng: Rng): string {
  return rng.pick(PHONE_PREFIXES) + String(rng.int(0, 99_999_999)).padStart(8, "0");
}

export const YUZHONG_SCHOOLS = {
  PRESCHOOL: ["渝中区人和街幼儿园", "渝中区实验幼儿园", "渝中区大坪幼儿园", "渝中区解放碑幼儿园", "渝中区七星岗幼儿园", "渝中区上清寺幼儿园"],
  PRIMARY: ["人和街小学", "中华路小学", "大坪小学", "解放小学", "鹅岭小学", "邹容小学", "马家堡小学", "大田湾小学", "菜园坝小学", "石油路小学"],
  JUNIOR: ["重庆市第二十九中学校", "重庆市第四十二中学校", "重庆市复旦中学", "重庆市求精中学校", "重庆市第五十七中学校", "重庆市大坪中学", "重庆市巴蜀中学校"],
  SENIOR: ["重庆市第二十九中学校", "重庆市复旦中学", "重庆市求精中学校", "重庆市巴蜀中学校", "重庆市第四十二中学校"],
} as const;

export const CITY_SCHOOLS = {
  VOCATIONAL: ["重庆市渝中职业教育中心", "重庆市医药卫生学校", "重庆市旅游学校", "重庆市工业学校", "重庆市轻工业学校"],
  HIGHER: ["重庆大学", "西南大学", "重庆医科大学", "重庆师范大学", "重庆工商大学", "重庆交通大学", "重庆邮电大学", "重庆科技学院", "重庆城市管理职业学院", "重庆电子工程职业学院"],
} as const;

const CHINESE_NUMERALS = ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十"];

/** "第三" style ordinal for 1..19. */
export function ordinal(n: number): string {
  if (n <= 10) return CHINESE_NUMERALS[n - 1];
  return "十" + CHINESE_NUMERALS[n - 11];
}
